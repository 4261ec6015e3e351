using System.Collections.Concurrent;
using System.Text;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Builders;
using GraphQL.Types;
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

/// <summary>A page of a Relay-style connection: its nodes, the number of all matches and where the page starts.</summary>
public sealed record Connection<T>(IReadOnlyList<T> Nodes, int TotalCount, int Offset)
{
    public static readonly Connection<T> Empty = new([], 0, 0);
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

    public static string Cursor(int position) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{position}"));

    /// <summary>first/after of a connection as skip and take; out-of-range values are refused with a German message.</summary>
    public static (int Skip, int Take) Paging(this IResolveFieldContext context)
    {
        var first = context.GetArgument<int?>("first") ?? DefaultPageSize;
        if (first is < 1 or > MaxPageSize)
        {
            throw new ExecutionError($"first muss zwischen 1 und {MaxPageSize} liegen.") { Code = "BAD_USER_INPUT" };
        }

        var after = context.GetArgument<string?>("after");
        if (after is null)
        {
            return (0, first);
        }

        return ParseGlobalId(after) is { Type: "offset" } cursor && cursor.Id is >= 0 and <= int.MaxValue
            ? ((int)cursor.Id, first)
            : throw new ExecutionError("Ungültiger Cursor.") { Code = "BAD_USER_INPUT" };
    }

    public static FieldBuilder<TSource, TReturn> PagingArguments<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field) => field
        .Argument<IntGraphType>("first", $"Page size, 1–{MaxPageSize} (default {DefaultPageSize}).")
        .Argument<StringGraphType>("after", "endCursor of the previous page.");
}

public sealed class PageInfoGraphType : ObjectGraphType<(int Offset, int Count, int Total)>
{
    public PageInfoGraphType()
    {
        Name = "PageInfo";
        Description = "Where a page lies in the whole list (Relay cursor connections).";
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Description("Whether another page follows.").Resolve(c => c.Source.Offset + c.Source.Count < c.Source.Total);
        Field<NonNullGraphType<BooleanGraphType>>("hasPreviousPage").Description("Whether a page lies before this one.").Resolve(c => c.Source.Offset > 0);
        Field<StringGraphType>("startCursor").Description("Cursor of the first node of the page.").Resolve(c => c.Source.Count == 0 ? null : Resolve.Cursor(c.Source.Offset + 1));
        Field<StringGraphType>("endCursor").Description("Pass as after: to get the next page.").Resolve(c => c.Source.Count == 0 ? null : Resolve.Cursor(c.Source.Offset + c.Source.Count));
    }
}

/// <summary>The node and cursor of one item of a connection.</summary>
public sealed class EdgeGraphType<TNodeType, T> : ObjectGraphType<(T Node, int Position)> where TNodeType : IGraphType
{
    public EdgeGraphType()
    {
        Name = ConnectionGraphType<TNodeType, T>.NodeName + "Edge";
        Description = $"One {ConnectionGraphType<TNodeType, T>.NodeName} of a connection with its cursor.";
        Field<NonNullGraphType<StringGraphType>>("cursor").Description("Pass as after: to continue after this node.").Resolve(c => Resolve.Cursor(c.Source.Position));
        Field<NonNullGraphType<TNodeType>>("node").Description("The object.").Resolve(c => c.Source.Node);
    }
}

public sealed class ConnectionGraphType<TNodeType, T> : ObjectGraphType<Connection<T>> where TNodeType : IGraphType
{
    public static readonly string NodeName = typeof(TNodeType).Name.Replace("GraphType", "", StringComparison.Ordinal);

    public ConnectionGraphType()
    {
        Name = NodeName + "Connection";
        Description = $"A page of {NodeName} objects (Relay cursor connection, at most {Resolve.MaxPageSize} per page).";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TNodeType>>>>("nodes").Description("The objects of this page.").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<EdgeGraphType<TNodeType, T>>>>>("edges").Description("The objects of this page with their cursors.")
            .Resolve(c => c.Source.Nodes.Select((n, i) => (n, c.Source.Offset + i + 1)).ToList());
        Field<NonNullGraphType<PageInfoGraphType>>("pageInfo").Description("Paging state.").Resolve(c => (c.Source.Offset, c.Source.Nodes.Count, c.Source.TotalCount));
        Field<NonNullGraphType<IntGraphType>>("totalCount").Description("Number of all matching objects in the caller's scope.").Resolve(c => c.Source.TotalCount);
    }
}
