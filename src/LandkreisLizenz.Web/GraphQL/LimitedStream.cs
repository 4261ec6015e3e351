namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// Reads a request body up to a limit and fails as soon as the body goes beyond it, so that a body without a length
/// (chunked) is never buffered whole; Kestrel enforces the same limit itself where the server lets it be set.
/// </summary>
internal sealed class LimitedStream(Stream inner, long limit) : Stream
{
    private long _read;

    public sealed class TooLongException() : IOException("Der Anfragekörper überschreitet die Höchstgröße.");

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Counted(int read)
    {
        _read += read;
        return _read > limit ? throw new TooLongException() : read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
