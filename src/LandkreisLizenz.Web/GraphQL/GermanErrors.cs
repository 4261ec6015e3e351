using System.Globalization;
using System.Text.RegularExpressions;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;
using GraphQL.Validation.Errors;
using GraphQL.Validation.Errors.Custom;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// The request errors of GraphQL.NET (syntax, validation, limits, variables) in German, as the rest of the product
/// speaks to its users (docs/graphql.md). The names a message quotes are kept; what GraphQL.NET adds beyond them —
/// "Did you mean …?" and the rule's number — is dropped, so an error never proposes names of the schema to someone
/// exploring it without introspection. Errors of the product's own resolvers and rules are German already and pass.
/// </summary>
public static partial class GermanErrors
{
    private static readonly (Type Error, string Template)[] Templates =
    [
        (typeof(FieldsOnCorrectTypeError), "Das Feld „{0}“ gibt es im Typ „{1}“ nicht."),
        (typeof(KnownArgumentNamesError), "Unbekanntes Argument „{0}“ bei „{1}“."),
        (typeof(KnownDirectivesError), "Unbekannte Direktive „{0}“."),
        (typeof(KnownFragmentNamesError), "Unbekanntes Fragment „{0}“."),
        (typeof(NoUnusedVariablesError), "Die Variable „{0}“ wird nicht verwendet."),
        (typeof(NoUndefinedVariablesError), "Die Variable „{0}“ ist in der Operation nicht deklariert."),
        (typeof(NoUnusedFragmentsError), "Das Fragment „{0}“ wird nicht verwendet."),
        // "Argument 'ags' of type 'String!' is required for field 'organisation' but not provided."
        (typeof(ProvidedNonNullArgumentsError), "„{2}“ verlangt das Argument „{0}“ (Typ {1}); es fehlt."),
        (typeof(ArgumentsOfCorrectTypeError), "Ungültiger Wert für das Argument „{0}“."),
        (typeof(DefaultValuesOfCorrectTypeError), "Ungültiger Standardwert für die Variable „{0}“."),
        (typeof(VariablesInAllowedPositionError), "Die Variable „{0}“ hat an dieser Stelle nicht den passenden Typ."),
        (typeof(VariablesAreInputTypesError), "Die Variable „{0}“ braucht einen Eingabetyp."),
        (typeof(LoneAnonymousOperationError), "Eine Operation ohne Namen muss die einzige des Dokuments sein."),
        (typeof(UniqueOperationNamesError), "Der Operationsname „{0}“ ist mehrfach vergeben."),
        (typeof(UniqueArgumentNamesError), "Das Argument „{0}“ steht mehrfach."),
        (typeof(UniqueVariableNamesError), "Die Variable „{0}“ ist mehrfach deklariert."),
        (typeof(UniqueFragmentNamesError), "Das Fragment „{0}“ ist mehrfach definiert."),
        (typeof(UniqueInputFieldNamesError), "Das Eingabefeld „{0}“ steht mehrfach."),
        (typeof(UniqueDirectivesPerLocationError), "Die Direktive „{0}“ steht hier mehrfach."),
        (typeof(DirectivesInAllowedLocationsError), "Die Direktive „{0}“ ist an dieser Stelle nicht erlaubt."),
        (typeof(FragmentsOnCompositeTypesError), "Ein Fragment ist nur auf Objekt-, Schnittstellen- und Union-Typen möglich („{0}“)."),
        (typeof(PossibleFragmentSpreadsError), "Das Fragment „{0}“ passt an dieser Stelle nicht zum Typ."),
        (typeof(NoFragmentCyclesError), "Das Fragment „{0}“ verweist auf sich selbst."),
        (typeof(OverlappingFieldsCanBeMergedError), "Die Felder „{0}“ widersprechen einander (gleicher Antwortname, verschiedene Felder oder Argumente); bitte einen Alias verwenden."),
        (typeof(SingleRootFieldSubscriptionsError), "Ein Abonnement wählt genau ein Feld aus."),
        (typeof(OneOfInputValuesError), "Bei „{0}“ ist genau eines der Felder anzugeben."),
        (typeof(InputFieldsAndArgumentsOfCorrectLengthError), "Der Wert von „{0}“ hat nicht die erlaubte Länge."),
    ];

    /// <summary>The errors of one request, German.</summary>
    public static ExecutionErrors Translate(ExecutionErrors errors)
    {
        var translated = new ExecutionErrors();
        foreach (var error in errors)
        {
            translated.Add(Translate(error));
        }

        return translated;
    }

    private static ExecutionError Translate(ExecutionError error)
    {
        var english = error.Message;
        var at = english.IndexOf(" Did you mean", StringComparison.Ordinal);
        if (at >= 0)
        {
            english = english[..at];
        }

        string? german = error switch
        {
            ComplexityError when english.StartsWith("Query is too nested", StringComparison.Ordinal) && Numbers(english) is [var depth, var max, ..] =>
                Format("Die Abfrage ist zu tief verschachtelt: {0} Ebenen, höchstens {1} sind erlaubt.", depth, max),
            ComplexityError when english.StartsWith("Query is too complex", StringComparison.Ordinal) && Numbers(english) is [var cost, var max, ..] =>
                Format("Die Abfrage ist zu aufwendig: geschätzt {0}, höchstens {1} (etwa so viele Objekte); bitte kleinere Seiten (first) oder weniger Felder abfragen.", cost, max),
            ComplexityError => "Die Abfrage ist zu aufwendig.",
            SyntaxError => error.Locations is [var location, ..]
                ? Format("Syntaxfehler in der Abfrage bei Zeile {0}, Spalte {1}.", location.Line, location.Column)
                : "Syntaxfehler in der Abfrage.",
            // "Field userName of type String must not have a sub selection" – names without quotes.
            ScalarLeafsError when english.Contains("must not have a sub selection", StringComparison.Ordinal) =>
                Format("Das Feld „{0}“ hat keine Unterfelder; bitte ohne Auswahl in geschweiften Klammern abfragen.", FirstWordAfter(english, "Field ")),
            ScalarLeafsError => Format("Das Feld „{0}“ braucht eine Auswahl von Unterfeldern in geschweiften Klammern.", FirstWordAfter(english, "Field ")),
            KnownTypeNamesError => Format("Unbekannter Typ „{0}“.", FirstWordAfter(english, "Unknown type ").TrimEnd('.')),
            InvalidVariableError => Format("Der Wert der Variablen „{0}“ ist ungültig.", Quoted(english)),
            InvalidOperationNameError or NoOperationNameError or NoOperationError => "Die Operation ist nicht eindeutig: bitte operationName angeben, passend zu einer Operation des Dokuments.",
            ValidationError validation => Templates.FirstOrDefault(t => t.Error.IsInstanceOfType(validation)) is { Template: { } template }
                ? Format(template, Quoted(english))
                : null,
            _ => null,
        };

        if (german is null)
        {
            // Not one of GraphQL.NET's own request errors: the product's message (German), without proposals.
            return at < 0 ? error : Copy(error, english);
        }

        return Copy(error, german);
    }

    /// <summary>The message with the error's code and locations — not its number or details.</summary>
    private static ExecutionError Copy(ExecutionError error, string message)
    {
        var copy = new ExecutionError(message) { Code = error.Code, Path = error.Path };
        foreach (var location in error.Locations ?? [])
        {
            copy.AddLocation(location);
        }

        return copy;
    }

    private static string Format(string template, params object?[] values) =>
        string.Format(CultureInfo.GetCultureInfo("de-DE"), template, values.Select(v => v ?? "").ToArray());

    private static object?[] Quoted(string message)
    {
        var names = QuotedName().Matches(message).Select(m => (object?)m.Groups[1].Value).ToList();
        while (names.Count < 3)
        {
            names.Add("");
        }

        return [.. names];
    }

    private static string FirstWordAfter(string message, string prefix)
    {
        var at = message.IndexOf(prefix, StringComparison.Ordinal);
        return at < 0 ? "" : message[(at + prefix.Length)..].Split(' ', 2)[0].Trim('\'', '"');
    }

    private static string[] Numbers(string message) =>
        NumberPattern().Matches(message).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.GetCultureInfo("de-DE"))).ToArray();

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"\d+(?:\.\d+)?")]
    private static partial Regex NumberPattern();
}
