import { type Expression, sql } from 'kysely';

// Names as people type them: "gomez family" for "Gómez Family". A name is folded to lower case
// with the accents of Latin letters taken off, the same way in TypeScript and in SQL (PGlite has
// no unaccent extension): `translate(lower(…))` over the letters below.

/** Letters with accents (both cases), and a few that do not decompose: ı, ø, ł, đ. */
const ACCENTED =
  'ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďĐđÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥÌÍÎÏìíîïĨĩĪīĬĭĮįıĴĵĶķĹĺĻļĽľŁłÑñŃńŅņŇňÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŶŷŸŹźŻżŽž';
const UNDECOMPOSED: Record<string, string> = {
  ı: 'i',
  Ø: 'o',
  ø: 'o',
  Ł: 'l',
  ł: 'l',
  Đ: 'd',
  đ: 'd',
};

const plain = (letter: string) =>
  UNDECOMPOSED[letter] ?? letter.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const FROM = [...ACCENTED];
const TO = FROM.map(plain);
const FOLD = new Map(FROM.map((letter, i) => [letter, TO[i] as string]));

/** `text` folded: lower case, accents off. */
export const fold = (text: string) =>
  [...text.toLowerCase()].map((letter) => FOLD.get(letter) ?? letter).join('');

/** `fold(value)` in SQL. */
export const foldSql = (value: Expression<string | null>) =>
  sql<string>`translate(lower(coalesce(${value}, '')), ${sql.lit(FROM.join(''))}, ${sql.lit(TO.join(''))})`;
