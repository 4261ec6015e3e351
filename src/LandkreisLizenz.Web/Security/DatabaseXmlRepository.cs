using System.Xml.Linq;
using LandkreisLizenz.Core.Security;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace LandkreisLizenz.Web.Security;

/// <summary>Data protection keys in the database (<see cref="KeyRingStore"/>) instead of each node's file system.</summary>
public sealed class DatabaseXmlRepository(KeyRingStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => store.All().Select(XElement.Parse).ToList();

    public void StoreElement(XElement element, string friendlyName) => store.Store(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}
