declare module 'postgres-date' {
  /** Parses PostgreSQL's text form of a date or timestamp, as node-postgres does. */
  export default function parseDate(value: string): Date | number | null;
}
