/**
 * What text the API stores. PostgreSQL's text type cannot hold NUL ("invalid byte sequence"), and control
 * characters in names and ids are invisible in lists and logs (or rewrite a terminal), so:
 * - names and ids (avatar and key names, user and organization ids): no control characters at all
 *   (C0, DEL, C1);
 * - descriptions: tab, line feed and carriage return are allowed (multi-line text), no other control character;
 * - NUL is refused everywhere, in any JSON body string and in any URL.
 * The sources are JSON Schema patterns, so the OpenAPI document tells clients the same rule.
 */
export const SINGLE_LINE_TEXT = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';
export const MULTI_LINE_TEXT = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$';
/** User and organization ids: no whitespace either, so they print and compare unambiguously. */
export const PRINCIPAL_ID = '^[^\\s\\u0000-\\u001F\\u007F-\\u009F]{1,200}$';

export const TEXT_RULE_MESSAGES: Record<string, string> = {
  [SINGLE_LINE_TEXT]: 'must not contain control characters (such as NUL, tab or line breaks)',
  [MULTI_LINE_TEXT]: 'must not contain control characters other than tab and line breaks (NUL included)',
  [PRINCIPAL_ID]: 'must be 1 to 200 characters without spaces or control characters',
};

const principalId = new RegExp(PRINCIPAL_ID, 'u');
export const isPrincipalId = (value: string) => principalId.test(value);
const singleLine = new RegExp(SINGLE_LINE_TEXT, 'u');
export const isSingleLineText = (value: string) => singleLine.test(value);
