using System.Reflection;
using System.Reflection.Emit;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// The methods a type's code calls, read from its IL: what a test can check about every call site, including those in
/// async state machines and lambdas (attributed to the method they were written in).
/// </summary>
internal static class CallSites
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>(the method as written in <paramref name="type"/>, a method it calls), over the type and its nested types.</summary>
    public static IEnumerable<(string Caller, MethodBase Callee)> Of(Type type)
    {
        foreach (var nested in new[] { type }.Concat(AllNested(type)))
        {
            foreach (var method in nested.GetMethods(Everything).Cast<MethodBase>().Concat(nested.GetConstructors(Everything)))
            {
                foreach (var callee in Calls(method))
                {
                    yield return ($"{type.Name}.{WrittenIn(nested, method)}", callee);
                }
            }
        }
    }

    private static IEnumerable<Type> AllNested(Type type) =>
        type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(n => new[] { n }.Concat(AllNested(n)));

    /// <summary>"ListAsync" for <c>&lt;ListAsync&gt;d__5.MoveNext</c> or <c>&lt;ListAsync&gt;b__5_0</c>; else the method's own name.</summary>
    private static string WrittenIn(Type nested, MethodBase method)
    {
        static string? Inner(string name) => name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end ? name[1..end] : null;
        return Inner(method.Name) ?? Inner(nested.Name) ?? method.Name;
    }

    private static IEnumerable<MethodBase> Calls(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if ((op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn) && Resolve(method, BitConverter.ToInt32(il, i)) is { } callee)
            {
                yield return callee;
            }

            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }
    }

    private static MethodBase? Resolve(MethodBase method, int token)
    {
        try
        {
            return method.Module.ResolveMethod(token,
                method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                method.IsGenericMethod ? method.GetGenericArguments() : null);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
