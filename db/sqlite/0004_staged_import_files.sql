-- Uploaded files waiting between upload, preview and commit, in the database (twin: db/sqlserver/0004_staged_import_files.sql).
-- With several nodes the preview may run on one node and the commit on another; files on one node's disk would be
-- missing there. Stored in chunks, so a large inventory file never has to fit into memory at once.

CREATE TABLE import_file_chunks (
    import_batch_id  INTEGER NOT NULL REFERENCES import_batches(id),
    chunk_no         INTEGER NOT NULL,
    data             BLOB    NOT NULL,
    PRIMARY KEY (import_batch_id, chunk_no)
);
