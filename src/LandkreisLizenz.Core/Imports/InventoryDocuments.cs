using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Xml;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// GLPI Agent / FusionInventory / OCS inventories (spec §7) — the XML inventory (<c>REQUEST/CONTENT/HARDWARE/NAME</c>,
/// <c>SOFTWARES</c>) and the GLPI inventory-format JSON (<c>content.hardware.name</c>, <c>content.softwares[]</c>), one file
/// per device or a ZIP of many — read as records of the installations format: one per software of a device, the device's
/// kind from its chassis and its cores from its CPUs. Each file is a snapshot of its device, as §5 has it.
/// </summary>
/// <remarks>
/// Inventory files come from agents on machines nobody here controls: DTDs (and so entity expansion and external
/// entities) are refused, documents and ZIP entries are bounded in size, ZIP entries in number.
/// </remarks>
internal static class InventoryDocuments
{
    public static readonly IReadOnlyList<string> Header = ["device", "software", "publisher", "version", "device_kind", "cores"];

    public const string XmlKind = "GLPI-Agent-/FusionInventory-Inventar (XML)";
    public const string JsonKind = "GLPI-Inventar (JSON)";
    public const string ZipKind = "GLPI-/FusionInventory-Inventare (ZIP)";

    private const long MaxDocumentBytes = 64L * 1024 * 1024;
    private const int MaxEntries = 100_000;

    /// <summary>Whether the first bytes (after a BOM and white space) start an XML or JSON document.</summary>
    public static char? Sniff(ReadOnlySpan<byte> head)
    {
        var start = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        foreach (var b in head[start..])
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b is (byte)'<' or (byte)'{' ? (char)b : null;
        }

        return null;
    }

    public static CsvSource Open(Stream stream, char first, ImportMapping? mapping) =>
        CsvSource.FromRecords(stream, Header, Number(CsvSource.Deferred(() => first == '<' ? FromXml(stream, "") : FromJson(stream, ""))), mapping, first == '<' ? XmlKind : JsonKind,
            document: true);

    /// <summary>A ZIP of inventory files (not a workbook: those hold <c>[Content_Types].xml</c>); null when it is not one.</summary>
    public static CsvSource? OpenZip(Stream stream, ImportMapping? mapping)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            if (archive.GetEntry("[Content_Types].xml") is not null)
            {
                archive.Dispose();
                return null;
            }
        }
        catch (InvalidDataException)
        {
            return null;
        }

        return CsvSource.FromRecords(archive, Header, Number(FromZip(archive)), mapping, ZipKind, document: true);
    }

    private static IEnumerable<(int, string[])> Number(IEnumerable<string[]> records)
    {
        var row = 1;
        foreach (var record in records)
        {
            yield return (++row, record);
        }
    }

    private static IEnumerable<string[]> FromZip(ZipArchive archive)
    {
        if (archive.Entries.Count > MaxEntries)
        {
            throw Error($"Das ZIP-Archiv enthält {archive.Entries.Count:N0} Dateien; gelesen werden höchstens {MaxEntries:N0}.");
        }

        foreach (var entry in archive.Entries.Where(e => e.Length > 0).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(entry.Name).ToLowerInvariant();
            if (extension is not (".xml" or ".ocs" or ".json"))
            {
                continue;
            }

            if (entry.Length > MaxDocumentBytes)
            {
                throw Error($"„{entry.FullName}“ im ZIP-Archiv ist entpackt größer als {MaxDocumentBytes / 1024 / 1024} MB.");
            }

            using var content = new BoundedStream(entry.Open(), MaxDocumentBytes, entry.FullName);
            foreach (var record in extension == ".json" ? FromJson(content, entry.FullName) : FromXml(content, entry.FullName))
            {
                yield return record;
            }
        }
    }

    private static IEnumerable<string[]> FromXml(Stream stream, string name)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersFromEntities = 0, MaxCharactersInDocument = MaxDocumentBytes,
            IgnoreComments = true, IgnoreWhitespace = true, CloseInput = false,
        };
        string? device = null, kind = null;
        var cores = 0;
        var softwares = new List<(string Name, string Publisher, string Version)>();
        try
        {
            using var reader = XmlReader.Create(stream, settings);
            if (!reader.ReadToFollowing("REQUEST"))
            {
                throw Error($"{Where(name)}ist kein GLPI-/FusionInventory-Inventar (Wurzelelement REQUEST fehlt).");
            }

            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != 2)
                {
                    continue;
                }

                switch (reader.Name)
                {
                    case "HARDWARE":
                        var hardware = Children(reader);
                        device = hardware.GetValueOrDefault("NAME");
                        kind ??= DeviceKind(hardware.GetValueOrDefault("CHASSIS_TYPE"), hardware.GetValueOrDefault("VMSYSTEM"));
                        break;
                    case "CPUS":
                        cores += int.TryParse(Children(reader).GetValueOrDefault("CORE"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;
                        break;
                    case "SOFTWARES":
                        var software = Children(reader);
                        if (software.GetValueOrDefault("NAME") is { Length: > 0 } softwareName)
                        {
                            softwares.Add((softwareName, software.GetValueOrDefault("PUBLISHER") ?? "", software.GetValueOrDefault("VERSION") ?? ""));
                        }

                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            throw Error(ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase)
                ? $"{Where(name)}enthält eine DTD; aus Sicherheitsgründen werden Inventardateien nur ohne DTD und ohne Entitäten gelesen."
                : $"{Where(name)}ist kein gültiges XML (Zeile {ex.LineNumber}, Spalte {ex.LinePosition}).");
        }

        return Device(name, device, kind, cores, softwares);
    }

    private static IEnumerable<string[]> FromJson(Stream stream, string name)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw Error($"{Where(name)}ist kein gültiges JSON (Zeile {ex.LineNumber + 1}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("content", out var content))
            {
                throw Error($"{Where(name)}ist kein GLPI-Inventar (das Objekt „content“ fehlt).");
            }

            string? device = null, kind = null;
            if (content.TryGetProperty("hardware", out var hardware) && hardware.ValueKind == JsonValueKind.Object)
            {
                device = Text(hardware, "name");
                kind = DeviceKind(Text(hardware, "chassis_type"), Text(hardware, "vmsystem"));
            }

            var cores = content.TryGetProperty("cpus", out var cpus) && cpus.ValueKind == JsonValueKind.Array
                ? cpus.EnumerateArray().Sum(c => c.TryGetProperty("core", out var core) && core.TryGetInt32(out var n) ? n : 0)
                : 0;
            var softwares = content.TryGetProperty("softwares", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(s => (Name: Text(s, "name") ?? "", Publisher: Text(s, "publisher") ?? "", Version: Text(s, "version") ?? ""))
                    .Where(s => s.Name.Length > 0).ToList()
                : [];
            return Device(name, device, kind, cores, softwares).ToList();
        }
    }

    private static IEnumerable<string[]> Device(string name, string? device, string? kind, int cores, List<(string Name, string Publisher, string Version)> softwares)
    {
        if (string.IsNullOrWhiteSpace(device))
        {
            throw Error($"{Where(name)}nennt kein Gerät (HARDWARE/NAME bzw. content.hardware.name fehlt).");
        }

        var coreText = cores > 0 ? cores.ToString(CultureInfo.InvariantCulture) : "";
        // A device reports a program once per architecture or language pack; its snapshot has it once.
        return softwares.Distinct().Select(s => new[] { device.Trim(), s.Name.Trim(), s.Publisher.Trim(), s.Version.Trim(), kind ?? "", coreText });
    }

    /// <summary>The simple child elements of the element the reader is on (the first of a name wins).</summary>
    private static Dictionary<string, string> Children(XmlReader reader)
    {
        var element = System.Xml.Linq.XElement.Load(reader.ReadSubtree());
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var child in element.Elements())
        {
            values.TryAdd(child.Name.LocalName, child.Value.Trim());
        }

        return values;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    /// <summary>The §5 device kind from the agent's chassis type (SMBIOS names) and virtualisation.</summary>
    private static string? DeviceKind(string? chassis, string? vmSystem)
    {
        if (vmSystem is { Length: > 0 } vm && !vm.Equals("Physical", StringComparison.OrdinalIgnoreCase))
        {
            return "virtual_server";
        }

        return chassis?.Trim().ToLowerInvariant() switch
        {
            "notebook" or "laptop" or "portable" or "sub notebook" or "convertible" or "detachable" or "tablet" => "laptop",
            "desktop" or "low profile desktop" or "mini tower" or "tower" or "all in one" or "mini pc" or "space-saving" or "lunch box" => "workstation",
            "rack mount chassis" or "main server chassis" or "blade" or "multi-system chassis" or "server" => "server",
            null or "" => null,
            _ => "other",
        };
    }

    private static string Where(string name) => name.Length == 0 ? "Die Datei " : $"„{name}“ ";

    private static ImportFileException Error(string reason) => new(new ImportError(0, null, null, reason));

    /// <summary>Stops reading past a limit, whatever an entry's header claims (a ZIP bomb lies about its size).</summary>
    private sealed class BoundedStream(Stream inner, long limit, string name) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            _read += n;
            return _read > limit ? throw Error($"„{name}“ im ZIP-Archiv ist entpackt größer als {limit / 1024 / 1024} MB.") : n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
