/**
 * One element of a message, as the rule engine sees it: its name, its child elements in document
 * order, and its text: every descendant text node concatenated in document order and left as
 * written (blanks and line breaks kept), like XPath's string value.
 */
export class MessageNode {
  /** 1-based position among the parent's children of the same local name (`X[2]` in locations). */
  readonly index: number;
  readonly children: MessageNode[] = [];
  /** Children by local name, in document order. */
  private readonly byName = new Map<string, MessageNode[]>();
  /** Text and child elements in document order, until the text is first read. */
  private readonly content: Array<string | MessageNode> = [];
  private cachedText: string | undefined;
  private cachedLocation: string | undefined;

  /**
   * Appends a new element to `parent` (null for the root).
   * @param name the name as written in the message (`ie:CC315A`); locations use it for the root
   */
  constructor(
    readonly name: string,
    readonly parent: MessageNode | null,
  ) {
    const colon = name.indexOf(':');
    this.local = colon < 0 ? name : name.slice(colon + 1);
    let index = 1;
    if (parent) {
      const same = parent.byName.get(this.local);
      if (same) {
        index = same.length + 1;
        same.push(this);
      } else parent.byName.set(this.local, [this]);
      parent.children.push(this);
      parent.content.push(this);
    }
    this.index = index;
  }

  /** The name without its namespace prefix; paths match on it. */
  readonly local: string;

  /** Appends a text node (already unescaped) to the element. */
  appendText(text: string): void {
    this.content.push(text);
  }

  /** Child elements with this local name, in document order (empty when none). */
  named(local: string): readonly MessageNode[] {
    return this.byName.get(local) ?? NONE;
  }

  get text(): string {
    if (this.cachedText === undefined) {
      let text = '';
      for (const c of this.content) text += typeof c === 'string' ? c : c.text;
      this.cachedText = text;
    }
    return this.cachedText;
  }

  /**
   * Where the element is, every step indexed: `/ie:CC315A[1]/TRACONCE1[1]/CitCE124[1]` (the root
   * as written in the message, the others by local name), as HMRC's error responses locate errors.
   */
  get location(): string {
    if (this.cachedLocation === undefined) {
      const step = `${this.parent ? this.local : this.name}[${this.index}]`;
      this.cachedLocation = this.parent ? `${this.parent.location}/${step}` : `/${step}`;
    }
    return this.cachedLocation;
  }
}

const NONE: readonly MessageNode[] = Object.freeze([]);

/** Element content for `buildMessage`: text, or child elements as `[name, content]` pairs. */
export type MessageContent = string | Array<readonly [string, MessageContent]>;

/** Builds a message tree from nested pairs (tests; readers of formats other than XML). */
export function buildMessage(
  name: string,
  content: MessageContent,
  parent: MessageNode | null = null,
): MessageNode {
  const node = new MessageNode(name, parent);
  if (typeof content === 'string') node.appendText(content);
  else for (const [childName, childContent] of content) buildMessage(childName, childContent, node);
  return node;
}
