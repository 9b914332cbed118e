/**
 * The one mapping between a record (camelCase fields, the domain's values) and a table row (snake_case columns, JSON
 * as text, booleans as 0/1): each table lists its record's fields once, names the few that are stored differently, and
 * gets its column list (for its fixed SQL), `fromRow` and `toColumns` from here.
 */
export interface Codec {
  /** Column value to field value. */
  read(value: unknown): unknown;
  /** Field value to column value. */
  write(value: unknown): unknown;
}

/** A JSON value stored as text; SQL null (or no text) is null. */
export const jsonText: Codec = {
  read: (value) => (value ? JSON.parse(value as string) : null),
  write: (value) => (value === null ? null : JSON.stringify(value)),
};

/** A boolean stored as 0/1 (SQLite has no boolean). */
export const zeroOne: Codec = { read: (value) => Boolean(value), write: (value) => (value ? 1 : 0) };

/** A number PostgreSQL may answer as text (numeric, bigint); SQL null stays null. */
export const numeric: Codec = { read: (value) => (value === null ? null : Number(value)), write: (value) => value };

/** A column that older rows may lack (undefined): null. */
export const orNull: Codec = { read: (value) => value ?? null, write: (value) => value };

interface Field {
  name: string;
  column: string;
  codec: Codec | null;
}

export interface RecordColumns<Record, Row> {
  /**
   * The select list of a table's fixed statements: each column named as its field (`render_style as "renderStyle"`),
   * so their rows need only the codec fields decoded (fromSelected).
   */
  list: string;
  /** The record's field names, in the order of `list`'s columns. */
  names: readonly string[];
  /** A row selected with `list`. */
  fromSelected(row: object): Record;
  /** A row of the table's own columns (kysely's selectAll). */
  fromRow(row: Partial<Row>): Record;
  /** The columns of the fields given (undefined fields are left out). */
  toColumns(record: Partial<Record>): Partial<Row>;
  /** Every column of a whole record: a row to insert. */
  toRow(record: Record): Row;
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * A record's mapping: every field of `spec` (the type makes it name each of the record's fields), stored in the column
 * of its snake_case name, through its codec when not null.
 */
export function recordColumns<Record extends object, Row extends object>(
  spec: {
    [K in keyof Record]-?: Codec | null;
  },
): RecordColumns<Record, Row> {
  const mapped: Field[] = Object.entries<Codec | null>(spec).map(([name, codec]) => ({ name, column: snakeCase(name), codec }));
  const coded = mapped.filter((field) => field.codec !== null);
  const toColumns = (record: Partial<Record>) => {
    const values = record as { [name: string]: unknown };
    const columns: { [column: string]: unknown } = {};
    for (const { name, column, codec } of mapped) {
      const value = values[name];
      if (value !== undefined) columns[column] = codec ? codec.write(value) : value;
    }
    return columns as Partial<Row>;
  };
  // The casts below are the one place a row becomes its record's type: its fields are the spec's, by construction.
  return {
    list: mapped.map(({ name, column }) => (name === column ? column : `${column} as "${name}"`)).join(', '),
    names: mapped.map(({ name }) => name),
    fromSelected(row) {
      // A copy (the row may be a cached one), then the few coded fields: cheaper than building the record field by field.
      const record: { [name: string]: unknown } = { ...row };
      for (const { name, codec } of coded) record[name] = codec!.read(record[name]);
      return record as Record;
    },
    fromRow(row) {
      const values = row as { [column: string]: unknown };
      const record: { [name: string]: unknown } = {};
      for (const { name, column, codec } of mapped) record[name] = codec ? codec.read(values[column]) : values[column];
      return record as Record;
    },
    toColumns,
    toRow: (record) => toColumns(record) as Row,
  };
}
