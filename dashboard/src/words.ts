// The API's messages name its fields (`validUntil`, `maxUsages`); a form names them as its
// labels do. These turn one into the other for what the dashboard shows.

/** The API's field names on one form (identifiers: letters and digits), each with what the form calls it ("Valid until"). */
export type FieldWords = Record<string, string>;

const isCamel = (field: string) => /[A-Z]/.test(field);

/**
 * The field an API message is about: the one it starts with (`maxUsages: …`, or
 * `validFrom must not be …`), if the form has it.
 */
export function fieldOf(message: string, words: FieldWords): string | undefined {
  const first = /^([A-Za-z]\w*)/.exec(message)?.[1];
  return first !== undefined && first in words ? first : undefined;
}

/**
 * An API message in the form's words: "maxUsages: maxUsages must be at least 1" reads "Uses
 * allowed must be at least 1", "validFrom must not be after validUntil" reads "Valid from must
 * not be after Valid until". A field named by an ordinary word (`name`, `email`) is replaced
 * only where it is the subject, at the start, so the rest of the sentence keeps its words.
 */
export function inFormWords(message: string, words: FieldWords): string {
  let text = message;
  const prefixed = /^([A-Za-z]\w*)[\w.[\]]*: (.*)$/s.exec(text);
  if (prefixed?.[1] !== undefined && prefixed[1] in words) {
    const [, field, rest] = prefixed as unknown as [string, string, string];
    // "maxUsages: maxUsages must…" says the field twice; "validUntil: expected…" once.
    text = rest.startsWith(field) ? rest : `${field}: ${rest}`;
  }
  const fields = Object.keys(words).sort((a, b) => b.length - a.length);
  for (const field of fields) {
    const label = words[field] as string;
    if (isCamel(field)) {
      text = text.replace(new RegExp(`\\b${field}\\b`, 'g'), label);
    } else if (new RegExp(`^${field}\\b`).test(text)) {
      text = label + text.slice(field.length);
    }
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
}
