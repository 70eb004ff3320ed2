/** The few PouchDB and express-pouchdb calls the bench makes (neither package ships types). */
declare module 'pouchdb' {
  export interface Doc {
    _id: string;
    _rev?: string;
    [key: string]: unknown;
  }
  export interface ReplicationResult {
    ok: boolean;
    docs_read: number;
    docs_written: number;
    doc_write_failures: number;
  }
  export interface ReplicationOptions {
    batch_size?: number;
    batches_limit?: number;
  }
  export interface Database {
    bulkDocs(docs: Doc[]): Promise<unknown[]>;
    allDocs(options: { keys: string[]; include_docs: true }): Promise<{ rows: { key: string; doc?: Doc }[] }>;
    info(): Promise<{ doc_count: number; update_seq: number | string }>;
    close(): Promise<void>;
    replicate: {
      from(source: string, options?: ReplicationOptions): Promise<ReplicationResult>;
      to(target: string, options?: ReplicationOptions): Promise<ReplicationResult>;
    };
  }
  export interface PouchDBStatic {
    new (name: string, options?: Record<string, unknown>): Database;
    defaults(options: { prefix: string }): PouchDBStatic;
  }
  const PouchDB: PouchDBStatic;
  export default PouchDB;
}

declare module 'express-pouchdb' {
  import type { Server } from 'node:http';
  import type PouchDB from 'pouchdb';
  interface App {
    listen(port: number, host: string, callback: () => void): Server;
  }
  function expressPouchDB(pouch: typeof PouchDB, options: { mode: string; overrideMode?: { exclude?: string[] } }): App;
  export default expressPouchDB;
}
