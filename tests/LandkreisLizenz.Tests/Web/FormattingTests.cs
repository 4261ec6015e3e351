using System.Globalization;
using LandkreisLizenz.Web.Models;

namespace LandkreisLizenz.Tests.Web;

[TestClass]
public sealed class FormattingTests
{
    [TestMethod]
    [DataRow(0L, "0 Empfehlungen")]
    [DataRow(1L, "1 Empfehlung")]
    [DataRow(2L, "2 Empfehlungen")]
    [DataRow(12345L, "12.345 Empfehlungen")]
    public void Count_GermanPage_NounInTheRightNumberWithGermanDigits(long count, string expected)
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.AreEqual(expected, Formatting.Count(count, "Empfehlung", "Empfehlungen"));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
