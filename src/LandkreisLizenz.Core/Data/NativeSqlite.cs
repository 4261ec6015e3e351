using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace LandkreisLizenz.Core.Data;

/// <summary>
/// The binding calls of an inventory's bulk insert, straight into the SQLite library that Microsoft.Data.Sqlite loaded
/// (e_sqlite3) and without the GC transition: binding is a few nanoseconds of native work, and the managed wrapper's
/// handle reference counting and string encoding cost more than SQLite's own insert of a row (measured: 2.0 → 1.55 s for
/// a million rows, docs/benchmarks.md). Stepping a statement does I/O and keeps the regular transition.
/// </summary>
/// <remarks>
/// Used only when the wrapper's provider is that very library (<see cref="Available"/>); any other provider (a system
/// SQLite, SQLCipher) or a library that cannot be resolved leaves the wrapper's calls in place.
/// </remarks>
internal static partial class NativeSqlite
{
    private const string Library = "e_sqlite3";

    private static readonly Lazy<bool> Resolved = new(Resolve);

    public static bool Available => Resolved.Value;

    private static bool Resolve()
    {
        try
        {
            return raw.GetNativeLibraryName() == Library && LibVersionNumber() == raw.sqlite3_libversion_number();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    [LibraryImport(Library, EntryPoint = "sqlite3_libversion_number")]
    private static partial int LibVersionNumber();

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    [SuppressGCTransition]
    public static partial int BindInt64(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null")]
    [SuppressGCTransition]
    public static partial int BindNull(nint statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text")]
    [SuppressGCTransition]
    private static partial int BindText(nint statement, int index, ref byte text, int length, nint destructor);

    /// <summary>SQLITE_TRANSIENT: SQLite copies the text before the call returns, so the buffer can be reused.</summary>
    private const nint Transient = -1;

    public static int BindText(nint statement, int index, string text, ref byte[] buffer)
    {
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        if (buffer.Length < length + 1)
        {
            buffer = new byte[Math.Max(length + 1, buffer.Length * 2)];
        }

        var written = System.Text.Encoding.UTF8.GetBytes(text, buffer);
        return BindText(statement, index, ref MemoryMarshal.GetArrayDataReference(buffer), written, Transient);
    }

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    [SuppressGCTransition]
    public static partial int Reset(nint statement);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Of(sqlite3_stmt statement) => statement.DangerousGetHandle();
}
