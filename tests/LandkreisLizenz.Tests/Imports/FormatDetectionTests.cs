using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>A file in one of the spec formats needs no format to be named: its header says which it is (spec §7).</summary>
[TestClass]
public sealed class FormatDetectionTests
{
    public static IEnumerable<object[]> Formats => ImportFormats.All.Select(f => new object[] { f.Key() });

    [TestMethod]
    [DynamicData(nameof(Formats))]
    public void Detect_SampleFileOfEachFormat_ThatFormat(string key)
    {
        ImportFormats.TryParse(key, out var format);
        var path = Repository.ImportSample(key);

        Assert.AreEqual(format, FormatDetection.Detect(File.OpenRead(path), Path.GetFileName(path)));
    }

    [TestMethod]
    public void Detect_RequiredColumnOnlyAsConstant_ThatFormat()
    {
        var content = new MemoryStream("device;software\nPC-1;Fachverfahren X\n"u8.ToArray());

        Assert.AreEqual(ImportFormat.Installations, FormatDetection.Detect(content, "inventar.csv", ImportMapping.WithConstant("ags", "05158")));
    }

    [TestMethod]
    public void Detect_HeaderOfNoFormat_GermanReasonWithNearestFormat()
    {
        var content = new MemoryStream("ags;device;softwarename\n05158;PC-1;X\n"u8.ToArray());

        var error = Assert.ThrowsExactly<ImportFileException>(() => FormatDetection.Detect(content, "inventar.csv")).Error;

        StringAssert.Contains(error.Reason, "Am nächsten liegt Installationen (Inventar), aber es fehlen software und unbekannt sind softwarename");
    }
}
