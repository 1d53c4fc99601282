using System.Collections.Concurrent;
using System.Reflection;
using TorchSharp;

namespace InterpKernel.Notebook.Hosting;

/// <summary>
/// Finds the tensors a notebook can still reach: it walks the object graph from a set of roots through every field
/// (of classes, boxed structs, arrays, collections, closures of delegates), and collects each <see cref="torch.Tensor"/>
/// it meets. Strings, primitives, reflection and compiler objects are not entered. When the graph is larger than
/// <see cref="NodeLimit"/> the walk gives up and says so, and the caller keeps every tensor.
/// </summary>
public sealed class ReachableTensors
{
    /// <summary>How many objects one walk visits before it gives up.</summary>
    public const int NodeLimit = 2_000_000;

    private static readonly ConcurrentDictionary<Type, FieldInfo[]> Fields = new();
    private static readonly ConcurrentDictionary<Type, bool> Inert = new();

    // Compiler, reflection, tokenizer and regular-expression objects never hold a tensor, and some hold very many objects.
    private static readonly string[] NotEnteredNamespaces =
        ["Microsoft.CodeAnalysis", "System.Reflection", "Microsoft.ML.Tokenizers", "System.Text.RegularExpressions"];

    private readonly HashSet<object> _visited = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<torch.Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<object> _pending = new();
    private readonly int _limit;
    private readonly IReadOnlySet<Type> _skip;

    private ReachableTensors(int limit, IReadOnlySet<Type> skip)
    {
        _limit = limit;
        _skip = skip;
    }

    /// <summary>The tensors found; meaningless when <see cref="Complete"/> is false.</summary>
    public IReadOnlySet<torch.Tensor> Tensors => _tensors;

    /// <summary>How many objects the walk entered.</summary>
    public int Visited => _visited.Count;


    /// <summary>False when the walk stopped at the node limit, so that some reachable tensors may be missing.</summary>
    public bool Complete { get; private set; } = true;

    /// <summary>Walks the graph from <paramref name="roots"/>.</summary>
    /// <param name="roots">Where to start: script variables, returned values.</param>
    /// <param name="skip">Types not to enter besides the usual ones (a host's own engine, say).</param>
    /// <param name="limit">How many objects to visit at most.</param>
    /// <returns>The tensors found, and whether the walk saw everything.</returns>
    public static ReachableTensors From(IEnumerable<object?> roots, IReadOnlySet<Type>? skip = null, int limit = NodeLimit)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var walk = new ReachableTensors(limit, skip ?? new HashSet<Type>());
        foreach (var root in roots)
        {
            walk.Push(root);
        }

        walk.Run();
        return walk;
    }

    private void Run()
    {
        while (_pending.TryPop(out var node))
        {
            if (_visited.Count > _limit)
            {
                Complete = false;
                return;
            }

            Visit(node);
        }
    }

    private void Push(object? value)
    {
        if (value is null || IsInert(value.GetType()) || _skip.Contains(value.GetType()))
        {
            return;
        }

        if (value is torch.Tensor tensor)
        {
            _tensors.Add(tensor);
            return;
        }

        if (_visited.Add(value))
        {
            _pending.Push(value);
        }
    }

    private void Visit(object node)
    {
        switch (node)
        {
            case Delegate d:
                foreach (var single in d.GetInvocationList())
                {
                    Push(single.Target);
                }

                return;
            case torch.nn.Module module:
                PushRegistered(module);
                break;
            case Array array:
                if (!IsInert(array.GetType().GetElementType()!))
                {
                    foreach (var item in array)
                    {
                        Push(item);
                    }
                }

                return;
        }

        foreach (var field in FieldsOf(node.GetType()))
        {
            Push(field.GetValue(node));
        }
    }

    private void PushRegistered(torch.nn.Module module)
    {
        // The fields hold them too; asking the module also covers what it keeps in ways its fields do not show.
        try
        {
            foreach (var (_, parameter) in module.named_parameters())
            {
                Push(parameter);
            }

            foreach (var (_, buffer) in module.named_buffers())
            {
                Push(buffer);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // A disposed module has nothing left to keep.
        }
    }

    private static FieldInfo[] FieldsOf(Type type) => Fields.GetOrAdd(type, static t =>
    {
        var fields = new List<FieldInfo>();
        for (var current = t; current is not null && current != typeof(object); current = current.BaseType)
        {
            fields.AddRange(current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => !f.FieldType.IsPointer && !f.FieldType.IsByRefLike && !IsInert(f.FieldType)));
        }

        return [.. fields];
    });

    /// <summary>Types whose values cannot lead to a tensor, or that the walk must not enter.</summary>
    private static bool IsInert(Type type) => Inert.GetOrAdd(type, static t => ComputeInert(t, 0));

    private static bool ComputeInert(Type t, int depth)
    {
        if (t.IsPrimitive || t.IsEnum || t.IsPointer || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime)
            || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(IntPtr) || t == typeof(UIntPtr))
        {
            return true;
        }

        if (typeof(MemberInfo).IsAssignableFrom(t) || typeof(Assembly).IsAssignableFrom(t) || typeof(System.Reflection.Module).IsAssignableFrom(t)
            || typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(t) || typeof(Thread).IsAssignableFrom(t)
            || typeof(DisposeScope).IsAssignableFrom(t) || typeof(DisposeScopeManager).IsAssignableFrom(t))
        {
            return true;
        }

        var space = t.Namespace ?? "";
        if (NotEnteredNamespaces.Any(n => space.StartsWith(n, StringComparison.Ordinal)))
        {
            return true;
        }

        // A collection of values that cannot hold a tensor (a tokenizer's SortedSet<KeyValuePair<int, string>>, its
        // 50,000 nodes included) cannot hold one either.
        if (t.IsGenericType && space.StartsWith("System.Collections", StringComparison.Ordinal) && depth < 4
            && t.GetGenericArguments().All(a => ComputeInert(a, depth + 1)))
        {
            return true;
        }

        if (t.IsArray)
        {
            return depth < 4 && ComputeInert(t.GetElementType()!, depth + 1);
        }

        // A struct made only of inert fields (a dictionary's entries of string and int, say) is inert too.
        if (t.IsValueType && depth < 4)
        {
            return t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .All(f => ComputeInert(f.FieldType, depth + 1));
        }

        return false;
    }
}
