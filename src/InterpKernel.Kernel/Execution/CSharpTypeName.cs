using System.Text;

namespace InterpKernel.Kernel.Execution;

/// <summary>Writes a runtime type as C# source, falling back to a public base type when it has no nameable name.</summary>
internal static class CSharpTypeName
{
    /// <summary>The nearest type a cell can name: the type itself, a public base type, or <see cref="object"/>.</summary>
    public static Type Nameable(Type type)
    {
        var current = type;
        while (current is not null && !IsNameable(current))
        {
            current = current.BaseType;
        }

        return current ?? typeof(object);
    }

    public static string Of(Type type)
    {
        if (type.IsArray)
        {
            return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        var name = new StringBuilder("global::");
        if (!string.IsNullOrEmpty(type.Namespace))
        {
            name.Append(type.Namespace).Append('.');
        }

        var chain = new List<Type>();
        for (var t = type; t is not null; t = t.IsNested ? t.DeclaringType : null)
        {
            chain.Insert(0, t);
        }

        var arguments = type.IsGenericType ? type.GetGenericArguments() : [];
        var used = 0;
        for (var i = 0; i < chain.Count; i++)
        {
            var simple = chain[i].Name;
            var tick = simple.IndexOf('`');
            if (i > 0)
            {
                name.Append('.');
            }

            name.Append(tick < 0 ? simple : simple[..tick]);
            var count = chain[i].GetGenericArguments().Length - used;
            if (count > 0)
            {
                name.Append('<').Append(string.Join(", ", arguments.Skip(used).Take(count).Select(Of))).Append('>');
                used += count;
            }
        }

        return name.ToString();
    }

    /// <summary>All assemblies a cell must reference to name the type.</summary>
    public static IEnumerable<System.Reflection.Assembly> Assemblies(Type type)
    {
        yield return type.Assembly;
        var element = type.IsArray ? type.GetElementType()! : type;
        if (element != type)
        {
            foreach (var assembly in Assemblies(element))
            {
                yield return assembly;
            }
        }

        if (element.IsGenericType)
        {
            foreach (var argument in element.GetGenericArguments().SelectMany(Assemblies))
            {
                yield return argument;
            }
        }
    }

    private static bool IsNameable(Type type)
    {
        if (type.IsArray)
        {
            return IsNameable(type.GetElementType()!);
        }

        return type.IsVisible
            && !type.IsPointer
            && !type.IsByRef
            && type.FullName is { } full
            && !full.Contains('#') && !full.Contains('<')
            && (!type.IsGenericType || type.GetGenericArguments().All(IsNameable));
    }
}
