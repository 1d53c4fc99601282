namespace InterpKernel.Interactive;

/// <summary>Writes a runtime type as C# source a cell can compile (nested and generic types included).</summary>
internal static class CSharpTypeNames
{
    /// <summary>The value's type, or its nearest public base type when the type itself cannot be named.</summary>
    public static Type Nameable(object? value)
    {
        var type = value?.GetType() ?? typeof(object);
        while (!IsNameable(type) && type.BaseType is { } baseType)
        {
            type = baseType;
        }

        return type;
    }

    /// <summary>The fully qualified C# name, such as <c>global::TorchSharp.torch.Tensor</c>.</summary>
    public static string Of(Type type)
    {
        if (type.IsArray)
        {
            return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        var chain = new List<Type>();
        for (var t = type; t is not null; t = t.IsNested ? t.DeclaringType : null)
        {
            chain.Insert(0, t);
        }

        var arguments = type.IsGenericType ? type.GetGenericArguments() : [];
        var used = 0;
        var parts = new List<string>();
        foreach (var part in chain)
        {
            var tick = part.Name.IndexOf('`');
            var simple = tick < 0 ? part.Name : part.Name[..tick];
            var count = part.GetGenericArguments().Length - used;
            if (count > 0)
            {
                simple += "<" + string.Join(", ", arguments.Skip(used).Take(count).Select(Of)) + ">";
                used += count;
            }

            parts.Add(simple);
        }

        var prefix = string.IsNullOrEmpty(type.Namespace) ? "global::" : $"global::{type.Namespace}.";
        return prefix + string.Join('.', parts);
    }

    private static bool IsNameable(Type type) =>
        type.IsVisible && !type.IsGenericTypeDefinition && !type.IsPointer && !type.IsByRef &&
        (!type.IsGenericType || type.GetGenericArguments().All(IsNameable)) &&
        (!type.IsArray || IsNameable(type.GetElementType()!));
}
