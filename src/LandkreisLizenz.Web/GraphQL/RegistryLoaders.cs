using GraphQL;
using GraphQL.DataLoader;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>Batched, scoped registry lookups for resolvers: every object or list asked for on one query level is read in one or two statements.</summary>
internal static class RegistryLoaders
{
    /// <summary>The object with this id if the caller may see it, else null.</summary>
    public static IDataLoaderResult<T?> ById<T>(this IResolveFieldContext context, RegistryEntity entity, string select, long id) where T : class, IRegistryRow =>
        context.Loader<long, T>("id:" + entity.Table, async (ids, _) =>
            (await context.Service<RegistryService>().ByIdsAsync<T>(context.Scope(), entity, select, ids)).ToDictionary(r => r.Id)).Load(id);

    public static IDataLoaderResult<OrganisationRow?> Organisation(this IResolveFieldContext context, long id) =>
        context.ById<OrganisationRow>(RegistryEntities.Organisations, OrganisationRow.Select, id);

    public static IDataLoaderResult<ProductRow?> Product(this IResolveFieldContext context, long id) =>
        context.ById<ProductRow>(RegistryEntities.Products, ProductRow.Select, id);

    public static IDataLoaderResult<HostingRow?> Hosting(this IResolveFieldContext context, long id) =>
        context.ById<HostingRow>(RegistryEntities.Hostings, HostingRow.Select, id);

    public static IDataLoaderResult<ContractRow?> Contract(this IResolveFieldContext context, long id) =>
        context.ById<ContractRow>(RegistryEntities.Contracts, ContractRow.Select, id);

    /// <summary>All categories, read once per request.</summary>
    public static IDataLoaderResult<CategoryRow?> Category(this IResolveFieldContext context, long id) =>
        context.Loader<long, CategoryRow>("categories", async (_, _) =>
            (await context.Service<ProductCatalogue>().CategoriesAsync()).ToDictionary(c => c.Id)).Load(id);

    /// <summary>
    /// A page of the children of <paramref name="parentId"/> (first/after from the field's arguments): the same page of
    /// every parent on this query level comes from one statement plus one for the totals.
    /// </summary>
    public static IDataLoaderResult<Connection<T>> Children<T>(this IResolveFieldContext context, RegistryEntity entity, string select, string parentColumn,
        Func<T, long?> parentOf, long parentId) where T : class, IRegistryRow
    {
        var (skip, take) = context.Paging();
        return context.Loader<long, Connection<T>>($"children:{entity.Table}.{parentColumn}:{skip}:{take}", async (parents, _) =>
        {
            var (rows, totals) = await context.Service<RegistryService>().ByParentAsync<T>(context.Scope(), entity, select, parentColumn, parents, skip, take);
            var byParent = rows.ToLookup(r => parentOf(r) ?? 0);
            return parents.ToDictionary(p => p, p => new Connection<T>(byParent[p].ToList(), totals.GetValueOrDefault(p), skip));
        }).Load(parentId).Then(c => c ?? Connection<T>.Empty);
    }

    /// <summary>A root list: the registry's own search, filter and allow-listed sort, scoped and paged.</summary>
    public static async Task<Connection<T>> PageAsync<T>(this IResolveFieldContext context, RegistryEntity entity, string select, string? filterArgument)
    {
        var (skip, take) = context.Paging();
        var query = new ListQuery(context.GetArgument<string?>("search"), filterArgument is null ? null : context.GetArgument<string?>(filterArgument),
            context.GetArgument<string?>("orderBy"), context.GetArgument<bool?>("descending") ?? false);
        var (rows, total) = await context.Service<RegistryService>().PageAsync<T>(context.Scope(), entity, select, query, skip, take);
        return new Connection<T>(rows, total, skip);
    }
}

/// <summary>Batched lookups outside the registry.</summary>
internal static class OperationLoaders
{
    public static global::GraphQL.DataLoader.IDataLoaderResult<Core.Suggestions.SuggestionDetail?> SuggestionDetail(this IResolveFieldContext context, long id) =>
        context.Loader<long, Core.Suggestions.SuggestionDetail>("suggestions", async (ids, _) =>
            (await context.Service<Core.Suggestions.SuggestionService>().GetManyAsync(context.Scope(), ids)).ToDictionary(d => d.Id)).Load(id);
}
