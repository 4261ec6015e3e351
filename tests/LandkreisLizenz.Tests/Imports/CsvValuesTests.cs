using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>Amounts as people type them into forms and ';'-separated files: what the pages show must be accepted back.</summary>
[TestClass]
public sealed class CsvValuesTests
{
    [TestMethod]
    [DataRow("1.299,00", 1299.00)]
    [DataRow("12.345.678,5", 12345678.5)]
    [DataRow("1.299,00 €", 1299.00)]
    [DataRow("1299,00", 1299.00)]
    [DataRow("1299.00", 1299.00)]
    [DataRow("0,5", 0.5)]
    [DataRow("1.5", 1.5)]
    public void TryDecimal_SemicolonFileOrForm_ReadsWhatThePagesShow(string text, double expected)
    {
        Assert.IsTrue(CsvValues.TryDecimal(text, ';', null, out var value, out var reason), reason);
        Assert.AreEqual((decimal)expected, value);
    }

    [TestMethod]
    [DataRow("1.29,00")]
    [DataRow("1,299.00")]
    [DataRow("1.299,00,00")]
    [DataRow("-1.299,00")]
    public void TryDecimal_MalformedOrNegative_RefusedWithAGermanReason(string text)
    {
        Assert.IsFalse(CsvValues.TryDecimal(text, ';', null, out _, out var reason));
        Assert.IsFalse(string.IsNullOrWhiteSpace(reason));
        StringAssert.Matches(reason, new System.Text.RegularExpressions.Regex("keine Zahl|negativ"));
    }

    [TestMethod]
    public void TryDecimal_CommaSeparatedFile_CommaIsNeverADecimalSeparator()
    {
        Assert.IsFalse(CsvValues.TryDecimal("1.299,00", ',', null, out _, out _));
        Assert.IsTrue(CsvValues.TryDecimal("1299.50", ',', null, out var value, out _));
        Assert.AreEqual(1299.50m, value);
    }
}
