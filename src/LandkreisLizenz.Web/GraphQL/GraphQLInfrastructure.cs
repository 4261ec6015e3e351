using System.Collections.Concurrent;
using System.Text;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Builders;
using GraphQL.Types;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>Request state handed to every resolver: the caller's Core scope (the same rules as the pages) and the request's batch loaders.</summary>
public sealed class GraphQLUserContext : Dictionary<string, object?>
{
    public required CallerScope Scope { get; init; }

    /// <summary>Request came as GET: queries only.</summary>
    public bool IsGet { get; init; }

    /// <summary>One loader per lookup kind and argument set, so a query level costs one statement per kind, not per object.</summary>
    public ConcurrentDictionary<string, object> Loaders { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A per-request batch loader (GraphQL.NET's core has the IDataLoaderResult contract but no loader): resolvers ask for
/// keys, and the first result awaited fetches every key asked for so far in one call; later levels of the query batch again.
/// </summary>
public sealed class BatchLoader<TKey, TValue>(Func<IReadOnlyCollection<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue?> _loaded = [];
    private readonly HashSet<TKey> _pending = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public IDataLoaderResult<TValue?> Load(TKey key)
    {
        lock (_pending)
        {
            _pending.Add(key);
        }

        return new Pending(this, key);
    }

    private async Task<TValue?> GetAsync(TKey key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_loaded.TryGetValue(key, out var value))
            {
                return value;
            }

            List<TKey> keys;
            lock (_pending)
            {
                keys = _pending.Where(k => !_loaded.ContainsKey(k)).Append(key).Distinct().ToList();
                _pending.Clear();
            }

            var fetched = await fetch(keys, cancellationToken);
            foreach (var k in keys)
            {
                _loaded[k] = fetched.TryGetValue(k, out var v) ? v : default;
            }

            return _loaded[key];
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class Pending(BatchLoader<TKey, TValue> loader, TKey key) : IDataLoaderResult<TValue?>
    {
        public Task<TValue?> GetResultAsync(CancellationToken cancellationToken = default) => loader.GetAsync(key, cancellationToken);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}

/// <summary>A loaded value turned into what a field returns, still inside the batch.</summary>
public sealed class MappedResult<TIn, TOut>(IDataLoaderResult<TIn> inner, Func<TIn, TOut> map) : IDataLoaderResult<TOut>
{
    public async Task<TOut> GetResultAsync(CancellationToken cancellationToken = default) => map(await inner.GetResultAsync(cancellationToken));

    async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
}

/// <summary>A loaded value passed through an async step (e.g. auditing a refusal), still inside the batch.</summary>
public sealed class AsyncMappedResult<TIn, TOut>(IDataLoaderResult<TIn> inner, Func<TIn, Task<TOut>> map) : IDataLoaderResult<TOut>
{
    public async Task<TOut> GetResultAsync(CancellationToken cancellationToken = default) => await map(await inner.GetResultAsync(cancellationToken));

    async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
}

/// <summary>A page of a Relay-style connection: its nodes with their cursors, the number of all matches and whether more lie either side.</summary>
public sealed record Connection<T>(IReadOnlyList<T> Nodes, IReadOnlyList<string> Cursors, int TotalCount, bool HasNextPage, bool HasPreviousPage)
{
    public static readonly Connection<T> Empty = new([], [], 0, false, false);
}

internal static class Resolve
{
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 50;

    public static GraphQLUserContext User(this IResolveFieldContext context) => (GraphQLUserContext)context.UserContext;

    public static CallerScope Scope(this IResolveFieldContext context) => context.User().Scope;

    public static T Service<T>(this IResolveFieldContext context) where T : notnull => context.RequestServices!.GetRequiredService<T>();

    public static DateOnly Today(this IResolveFieldContext context) => Core.Common.BusinessDate.Today(context.Service<TimeProvider>());

    public static BatchLoader<TKey, TValue> Loader<TKey, TValue>(this IResolveFieldContext context, string name,
        Func<IReadOnlyCollection<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch) where TKey : notnull =>
        (BatchLoader<TKey, TValue>)context.User().Loaders.GetOrAdd(name, _ => new BatchLoader<TKey, TValue>(fetch));

    public static IDataLoaderResult<TOut> Then<TIn, TOut>(this IDataLoaderResult<TIn> result, Func<TIn, TOut> map) => new MappedResult<TIn, TOut>(result, map);

    public static IDataLoaderResult<TOut> ThenAsync<TIn, TOut>(this IDataLoaderResult<TIn> result, Func<TIn, Task<TOut>> map) => new AsyncMappedResult<TIn, TOut>(result, map);

    /// <summary>The table behind each node type whose owner the audit log can name (the catalogue has none).</summary>
    private static readonly Dictionary<string, string> NodeTables = new Dictionary<string, string>(
        MutationGraphType.Entities.Where(e => !e.Entity.Global).ToDictionary(e => e.Type, e => e.Entity.Table), StringComparer.Ordinal)
    {
        ["Suggestion"] = "suggestions", ["ReconciliationRun"] = "reconciliation_runs", ["ImportBatch"] = "import_batches",
    };

    /// <summary>
    /// A refused lookup of a named object, written by Core's one rule (with the owner organisation, as the pages do);
    /// the caller sees null, as for a missing object.
    /// </summary>
    public static Task AuditDeniedAsync(this IResolveFieldContext context, string type, long id) =>
        NodeTables.TryGetValue(type, out var table)
            ? context.Service<Core.Audit.AuditLog>().RefusedAsync(context.Scope(), table, id, "graphql:" + context.FieldDefinition.Name)
            : Task.CompletedTask;

    /// <summary>Opaque global ids: base64 of "Type:id".</summary>
    public static string GlobalId(string type, long id) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{type}:{id}"));

    public static (string Type, long Id)? ParseGlobalId(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && long.TryParse(text[(colon + 1)..], out var id) ? (text[..colon], id) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The id of an argument that must name an object of <paramref name="type"/>; anything else is a client error.</summary>
    public static long IdArgument(this IResolveFieldContext context, string argument, string type) =>
        ParseGlobalId(context.GetArgument<string>(argument)) is { } parsed && parsed.Type == type
            ? parsed.Id
            : throw new ExecutionError($"{argument}: keine gültige {type}-ID.") { Code = "BAD_USER_INPUT" };

    /// <summary>
    /// The page a connection field asks for (first/after or last/before), with its cursors decoded. A cursor carries the
    /// place of its node — the values the list is ordered by and the id — and the list and order it was made for, so a
    /// page continues after that node whatever was inserted or deleted before it, and a cursor of another list or order
    /// is refused rather than misread.
    /// </summary>
    public static KeysetRequest Paging(this IResolveFieldContext context)
    {
        var first = context.GetArgument<int?>("first");
        var last = context.GetArgument<int?>("last");
        if (first is not null && last is not null)
        {
            throw new ExecutionError("first und last schließen einander aus: vorwärts mit first/after, rückwärts mit last/before blättern.") { Code = "BAD_USER_INPUT" };
        }

        foreach (var (name, value) in new[] { ("first", first), ("last", last) })
        {
            if (value is < 1 or > MaxPageSize)
            {
                throw new ExecutionError($"{name} muss zwischen 1 und {MaxPageSize} liegen.") { Code = "BAD_USER_INPUT" };
            }
        }

        return new KeysetRequest(last ?? first ?? DefaultPageSize, Place(context, "after"), Place(context, "before"), FromEnd: last is not null);
    }

    /// <summary>A Core page as the connection of the field being resolved (cursors made for this list and order).</summary>
    public static Connection<T> Connection<T>(this IResolveFieldContext context, KeysetPage<T> page)
    {
        var list = ListOf(context);
        return new Connection<T>(page.Items, page.Places.Select(p => Cursors.Encode(list, p)).ToList(), page.TotalCount, page.HasNextPage, page.HasPreviousPage);
    }

    /// <summary>A Core call with a cursor that fits no order of the list (altered by hand) becomes a client error, not a server error.</summary>
    public static async Task<TResult> WithPlacesAsync<TResult>(Func<Task<TResult>> read)
    {
        try
        {
            return await read();
        }
        catch (InvalidPlaceException)
        {
            throw new ExecutionError("Ungültiger Cursor.") { Code = "BAD_USER_INPUT" };
        }
    }

    // The list a cursor belongs to: the field (on its parent type) and the order asked for.
    private static string ListOf(IResolveFieldContext context) =>
        $"{context.ParentType.Name}.{context.FieldDefinition.Name}:{context.GetArgument<string?>("orderBy")}:{context.GetArgument<bool?>("descending") ?? false}";

    private static Keyset? Place(IResolveFieldContext context, string argument) =>
        context.GetArgument<string?>(argument) is not { } cursor
            ? null
            : Cursors.Decode(cursor) is not { } decoded
                ? throw new ExecutionError($"{argument}: ungültiger Cursor.") { Code = "BAD_USER_INPUT" }
                : decoded.List != ListOf(context)
                    ? throw new ExecutionError($"{argument}: Der Cursor gehört zu einer anderen Liste oder Sortierung.") { Code = "BAD_USER_INPUT" }
                    : decoded.Place;

    public static FieldBuilder<TSource, TReturn> PagingArguments<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field) => field
        .Argument<IntGraphType>("first", $"Page size from the start or after: 1–{MaxPageSize} (default {DefaultPageSize}).")
        .Argument<StringGraphType>("after", "Continue after this cursor (endCursor of the previous page).")
        .Argument<IntGraphType>("last", $"Page size from the end or before: 1–{MaxPageSize}; not with first.")
        .Argument<StringGraphType>("before", "End before this cursor (startCursor of the following page).");
}

public sealed class PageInfoGraphType : ObjectGraphType<(IReadOnlyList<string> Cursors, bool HasNext, bool HasPrevious)>
{
    public PageInfoGraphType()
    {
        Name = "PageInfo";
        Description = "Where a page lies in the whole list (Relay cursor connections).";
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Description("Whether another page follows (when paging backwards: whether before: was given).").Resolve(c => c.Source.HasNext);
        Field<NonNullGraphType<BooleanGraphType>>("hasPreviousPage").Description("Whether a page lies before this one (when paging forwards: whether after: was given).").Resolve(c => c.Source.HasPrevious);
        Field<StringGraphType>("startCursor").Description("Cursor of the first node of the page; pass as before: for the page before.").Resolve(c => c.Source.Cursors.FirstOrDefault());
        Field<StringGraphType>("endCursor").Description("Cursor of the last node of the page; pass as after: for the next page.").Resolve(c => c.Source.Cursors.LastOrDefault());
    }
}

/// <summary>The node and cursor of one item of a connection.</summary>
public sealed class EdgeGraphType<TNodeType, T> : ObjectGraphType<(T Node, string Cursor)> where TNodeType : IGraphType
{
    public EdgeGraphType()
    {
        Name = ConnectionGraphType<TNodeType, T>.NodeName + "Edge";
        Description = $"One {ConnectionGraphType<TNodeType, T>.NodeName} of a connection with its cursor.";
        Field<NonNullGraphType<StringGraphType>>("cursor").Description("Pass as after: to continue after this node, as before: to end before it.").Resolve(c => c.Source.Cursor);
        Field<NonNullGraphType<TNodeType>>("node").Description("The object.").Resolve(c => c.Source.Node);
    }
}

public sealed class ConnectionGraphType<TNodeType, T> : ObjectGraphType<Connection<T>> where TNodeType : IGraphType
{
    public static readonly string NodeName = typeof(TNodeType).Name.Replace("GraphType", "", StringComparison.Ordinal);

    public ConnectionGraphType()
    {
        Name = NodeName + "Connection";
        Description = $"A page of {NodeName} objects (Relay cursor connection, at most {Resolve.MaxPageSize} per page; cursors keep their place when objects are added or removed).";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TNodeType>>>>("nodes").Description("The objects of this page.").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<EdgeGraphType<TNodeType, T>>>>>("edges").Description("The objects of this page with their cursors.")
            .Resolve(c => c.Source.Nodes.Zip(c.Source.Cursors).ToList());
        Field<NonNullGraphType<PageInfoGraphType>>("pageInfo").Description("Paging state.").Resolve(c => (c.Source.Cursors, c.Source.HasNextPage, c.Source.HasPreviousPage));
        Field<NonNullGraphType<IntGraphType>>("totalCount").Description("Number of all matching objects in the caller's scope.").Resolve(c => c.Source.TotalCount);
    }
}

/// <summary>
/// Cursors as opaque text: base64 of the list they belong to and the typed values of the place. The values go back into
/// SQL only as parameters, compared with the list's own order expressions.
/// </summary>
internal static class Cursors
{
    private const string Prefix = "Cursor:";

    public static string Encode(string list, Keyset place) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
        Prefix + System.Text.Json.JsonSerializer.Serialize(new Payload(list, place.Values.Select(Write).ToList()))));

    public static (string List, Keyset Place)? Decode(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (!text.StartsWith(Prefix, StringComparison.Ordinal) || System.Text.Json.JsonSerializer.Deserialize<Payload>(text[Prefix.Length..]) is not { List: not null, Values: { Count: > 0 } values } payload)
            {
                return null;
            }

            var read = values.Select(Read).ToList();
            return read.Any(v => v is Invalid) ? null : (payload.List, new Keyset(read));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    private sealed record Payload(string List, IReadOnlyList<string> Values);

    private sealed class Invalid;

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    // A type letter and the invariant text, so the value goes back as the type the database gave.
    private static string Write(object? value) => value switch
    {
        null => "n",
        long l => "i" + l.ToString(Invariant),
        double d => "f" + d.ToString("R", Invariant),
        decimal m => "m" + m.ToString(Invariant),
        bool b => b ? "b1" : "b0",
        DateTime t => "t" + t.ToString("O", Invariant),
        string s => "s" + s,
        _ => "s" + Convert.ToString(value, Invariant),
    };

    private static object? Read(string text) => text.Length == 0 ? new Invalid() : text[0] switch
    {
        'n' when text.Length == 1 => null,
        'i' => long.Parse(text.AsSpan(1), System.Globalization.NumberStyles.AllowLeadingSign, Invariant),
        'f' => double.Parse(text.AsSpan(1), System.Globalization.NumberStyles.Float, Invariant),
        'm' => decimal.Parse(text.AsSpan(1), System.Globalization.NumberStyles.Number, Invariant),
        'b' => text == "b1",
        't' => DateTime.Parse(text.AsSpan(1), Invariant, System.Globalization.DateTimeStyles.RoundtripKind),
        's' => text[1..],
        _ => new Invalid(),
    };
}
