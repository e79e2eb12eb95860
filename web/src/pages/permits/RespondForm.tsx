import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import type { paths } from '../../api-types.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { DocumentPicker, type DocumentReference } from './documents.js';
import { fieldProblems, problemAt, type FieldProblem } from './problem-words.js';

type Permit = paths['/api/permits/{id}']['get']['responses'][200]['content']['application/json'];

/**
 * The applicant's answer to a request for information: the agency's question, the answer in
 * words and the documents that go with it (their references, as the API records them).
 */
export function RespondForm({ permit, onDone }: { permit: Permit; onDone: () => void }) {
  const [text, setText] = useState('');
  const [documents, setDocuments] = useState<DocumentReference[]>([]);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    setFailure(null);
    if (text.trim() === '') {
      setProblems([{ field: '/message', detail: 'Write your answer' }]);
      return;
    }
    setSending(true);
    try {
      const { error } = await api.POST('/api/permits/{id}/respond', {
        params: { path: { id: permit.id } },
        body: { message: text.trim(), ...(documents.length > 0 ? { attachments: documents } : {}) },
      });
      if (error) {
        const found = fieldProblems(error);
        setProblems(found);
        if (found.length === 0) setFailure(error);
        return;
      }
      onDone();
    } catch (err) {
      setFailure(err);
    } finally {
      setSending(false);
    }
  };
  return (
    <form
      className="editor step"
      aria-label="Answer the request for information"
      onSubmit={(e) => void send(e)}
      noValidate
    >
      <h3>The agency asks</h3>
      <blockquote className="question prose">{permit.note ?? 'More information.'}</blockquote>
      <FormField label="Your answer" error={problemAt(problems, '/message')}>
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={3}
          maxLength={4000}
          required
        />
      </FormField>
      <DocumentPicker
        label="Documents"
        value={documents}
        onChange={setDocuments}
        error={problemAt(problems, '/attachments')}
      />
      <ProblemAlert problem={failure} />
      <button type="submit" disabled={sending}>
        Send the answer
      </button>
    </form>
  );
}
