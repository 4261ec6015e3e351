using Dapper;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// Where uploads wait between upload, preview and commit: in the database (chunks of <see cref="ImportOptions.StagingChunkBytes"/>),
/// so that any node can preview or commit what another received — the default on SQL Server, where several nodes are
/// possible — or as files in the staging folder (the default for the single-node embedded SQLite).
/// </summary>
internal sealed class StagedFiles(Database database, ImportOptions options, string dataFolder)
{
    private const string InsertChunkSql = "INSERT INTO import_file_chunks (import_batch_id, chunk_no, data) VALUES (@Id, @No, @Data)";

    private const string ChunkSql = "SELECT data FROM import_file_chunks WHERE import_batch_id = @Id AND chunk_no = @No";

    private const string DeleteChunksSql = "DELETE FROM import_file_chunks WHERE import_batch_id = @Id";

    public bool InDatabase => options.StageInDatabase ?? database.Provider == DatabaseProvider.SqlServer;

    public string Folder => Path.IsPathRooted(options.StagingFolder) ? options.StagingFolder : Path.Combine(dataFolder, options.StagingFolder);

    private string FileOf(long batchId) => Path.Combine(Folder, $"import-{batchId}.csv");

    /// <summary>Takes over a local temporary file (the upload as received) as the batch's staged file.</summary>
    public void Store(long batchId, string temporaryFile)
    {
        if (!InDatabase)
        {
            File.Move(temporaryFile, FileOf(batchId));
            return;
        }

        using (var file = File.OpenRead(temporaryFile))
        using (var connection = database.Open())
        using (var transaction = connection.BeginTransaction())
        {
            var buffer = new byte[ChunkBytes];
            var no = 0;
            int read;
            while ((read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                connection.Execute(InsertChunkSql, new { Id = batchId, No = no++, Data = buffer.AsSpan(0, read).ToArray() }, transaction);
            }

            transaction.Commit();
        }

        File.Delete(temporaryFile);
    }

    /// <summary>A seekable stream over the staged file (the CSV reader scans it once for the encoding, then reads it).</summary>
    public Stream Open(long batchId, long length) =>
        InDatabase ? new ChunkStream(database, batchId, length, ChunkBytes) : File.OpenRead(FileOf(batchId));

    public void Delete(long batchId)
    {
        if (InDatabase)
        {
            using var connection = database.Open();
            connection.Execute(DeleteChunksSql, new { Id = batchId });
        }
        else
        {
            File.Delete(FileOf(batchId));
        }
    }

    private int ChunkBytes => Math.Clamp(options.StagingChunkBytes, 1024, 64 * 1024 * 1024);

    private sealed class ChunkStream(Database database, long batchId, long length, int chunkBytes) : ReadOnlyStream
    {
        private byte[]? _chunk;
        private int _chunkNo = -1;
        private long _position;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = Math.Clamp(value, 0, length);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= length || count == 0)
            {
                return 0;
            }

            var no = (int)(_position / chunkBytes);
            if (no != _chunkNo)
            {
                using var connection = database.Open();
                _chunk = connection.ExecuteScalar<byte[]>(ChunkSql, new { Id = batchId, No = no })
                         ?? throw new IOException($"Teil {no} der hochgeladenen Datei fehlt in der Datenbank.");
                _chunkNo = no;
            }

            var inChunk = (int)(_position - ((long)no * chunkBytes));
            var n = Math.Min(count, _chunk!.Length - inChunk);
            Array.Copy(_chunk, inChunk, buffer, offset, n);
            _position += n;
            return n;
        }
    }
}
