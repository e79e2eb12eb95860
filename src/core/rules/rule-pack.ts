import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { DomainError, type FieldIssue } from '../errors.js';
import { schemaIssues } from '../schema-issues.js';
import type { MessageNode } from './message-node.js';
import { parseNodePath } from './node-path.js';
import { compilePath, compileRegex, PATH_ARGUMENTS, ruleEnvironment } from './rule-functions.js';

/** One assertion: a CEL test over `node` (the context element) that must be true. */
const AssertionSchema = Type.Object(
  {
    test: Type.String({ minLength: 1, maxLength: 4000 }),
    code: Type.String({ minLength: 1, maxLength: 20, description: 'error code reported' }),
    message: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

const RuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    context: Type.String({
      pattern: '^/',
      maxLength: 500,
      description:
        "elements the assertions are evaluated at, from the root element: '/' is the root, '/HEAHEA' its HEAHEA children",
    }),
    asserts: Type.Array(AssertionSchema, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);

/** A rule pack as stored and shipped: plain data (library/rules/*.json). */
export const RulePackSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    version: Type.String({ minLength: 1, maxLength: 50 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    source: Type.Object(
      {
        repository: Type.String({ minLength: 1 }),
        commit: Type.Optional(Type.String()),
        path: Type.Optional(Type.String()),
        licence: Type.String({ minLength: 1 }),
        convertedBy: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    roots: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'local names of the root elements the pack applies to; any when absent',
      }),
    ),
    notes: Type.Optional(Type.Array(Type.String())),
    rules: Type.Array(RuleSchema, { minItems: 1, maxItems: 5000 }),
  },
  { additionalProperties: false },
);
export type RulePackDocument = Static<typeof RulePackSchema>;
export type RuleDocument = RulePackDocument['rules'][number];

const structure = Compile(RulePackSchema);

/** One assertion, compiled: `holds(node)` is true when the context element satisfies it. */
export interface CompiledAssertion {
  code: string;
  message: string;
  test: string;
  holds: (node: MessageNode) => boolean;
}

export interface CompiledRule {
  name: string;
  /** Child steps from the root element (empty: the root itself). */
  context: string[];
  asserts: CompiledAssertion[];
}

/** A loaded, checked and compiled rule pack, ready to validate any number of messages. */
export interface RulePack {
  name: string;
  version: string;
  roots: readonly string[] | undefined;
  rules: readonly CompiledRule[];
  document: RulePackDocument;
}

/**
 * Checks a rule pack (JSON text or parsed) and compiles every assertion once: structure, CEL
 * syntax and types (each test must be bool), and the path and regular-expression literals.
 * Throws DomainError('invalid_input') naming each bad rule, its assertion index and the error.
 */
export function loadRulePack(json: unknown): RulePack {
  let input = json;
  if (typeof json === 'string') {
    try {
      input = JSON.parse(json) as unknown;
    } catch (e) {
      throw new DomainError('invalid_input', `rule pack is not JSON: ${(e as Error).message}`);
    }
  }
  if (!structure.Check(input)) {
    throw new DomainError(
      'invalid_input',
      'not a rule pack',
      schemaIssues(structure, input, 'a rule pack'),
    );
  }
  const issues: FieldIssue[] = [];
  const rules: CompiledRule[] = [];
  input.rules.forEach((rule, r) => {
    let context: string[] = [];
    try {
      context = rule.context === '/' ? [] : parseNodePath(rule.context).steps;
    } catch (e) {
      issues.push({
        path: `/rules/${r}/context`,
        reason: `rule '${rule.name}': ${(e as Error).message}`,
      });
    }
    const asserts: CompiledAssertion[] = [];
    rule.asserts.forEach((a, i) => {
      try {
        asserts.push({
          code: a.code,
          message: a.message,
          test: a.test,
          holds: compileTest(a.test),
        });
      } catch (e) {
        issues.push({
          path: `/rules/${r}/asserts/${i}/test`,
          reason: `rule '${rule.name}', assertion ${i}: ${(e as Error).message}`,
        });
      }
    });
    rules.push({ name: rule.name, context, asserts });
  });
  if (issues.length > 0) {
    throw new DomainError(
      'invalid_input',
      `rule pack '${input.name}' refused: ${issues[0]!.reason}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
      issues,
    );
  }
  return { name: input.name, version: input.version, roots: input.roots, rules, document: input };
}

interface AstNode {
  op: string;
  args: unknown;
}

/** Parses, type-checks and compiles one assertion; throws an Error with the first CEL line. */
function compileTest(test: string): (node: MessageNode) => boolean {
  const env = ruleEnvironment();
  let program: ReturnType<typeof env.parse>;
  try {
    program = env.parse(test);
    const checked = program.check();
    if (!checked.valid) throw new Error(checked.error?.message ?? 'not a valid CEL expression');
    if (String(checked.type) !== 'bool') {
      throw new Error(`an assertion must be bool, this one is ${String(checked.type)}`);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(message.split('\n')[0] ?? message);
  }
  checkLiterals(program.ast);
  return (node) => program({ node }) === true;
}

/**
 * Paths and regular expressions must be string literals that compile (checked here, once); the
 * CEL library's string.matches() is refused.
 */
function checkLiterals(root: unknown): void {
  const seen = new Set<unknown>();
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    const n = x as AstNode;
    if (n.op === 'rcall' && Array.isArray(n.args) && n.args[0] === 'matches') {
      // cel-js runs string.matches() on the backtracking JavaScript engine, on any regex.
      throw new Error(
        "text.matches(regex) is not available: use matches(node, 'path', 'regex'), whose regular expression is a literal checked on load and run on RE2",
      );
    }
    if (n.op === 'call' && Array.isArray(n.args)) {
      const [name, args] = n.args as [string, AstNode[]];
      for (const at of PATH_ARGUMENTS[name] ?? []) {
        const path = literal(args[at], `${name}(): argument ${at + 1} must be a path in quotes`);
        try {
          compilePath(path);
        } catch (e) {
          throw new Error(`${name}(): ${(e as Error).message}`);
        }
      }
      if (name === 'matches' && args.length === 3) {
        const source = literal(args[2], 'matches(): the regular expression must be in quotes');
        try {
          compileRegex(source);
        } catch (e) {
          throw new Error(`matches(): ${(e as Error).message}`);
        }
      }
    }
    if (typeof n.op === 'string') visit(n.args);
  };
  visit(root);
}

function literal(n: AstNode | undefined, refusal: string): string {
  if (n?.op !== 'value' || typeof n.args !== 'string') throw new Error(refusal);
  return n.args;
}
