using System.Reflection;

namespace PluginHost.Core.Unloading;

/// <summary>A framework internal a hygiene step needs was not found: a framework update moved it.</summary>
public sealed class MissingFrameworkInternalException(string member)
    : Exception($"{member} was not found: the framework changed, and this unload hygiene step needs updating")
{
    public string Member { get; } = member;
}

/// <summary>
/// Reflection into framework internals, in one place: every step names what it reads, and a missing member fails the
/// step loudly (the host logs it; a test asserts every step finds its members) instead of silently leaking.
/// </summary>
internal static class FrameworkInternals
{
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic;

    public static Type Type(Assembly assembly, string fullName) =>
        assembly.GetType(fullName) ?? throw new MissingFrameworkInternalException($"{assembly.GetName().Name}: {fullName}");

    public static FieldInfo StaticField(Type type, string name) =>
        type.GetField(name, Any | BindingFlags.Static) ?? throw new MissingFrameworkInternalException($"{type.FullName}.{name}");

    public static FieldInfo Field(Type type, string name) =>
        type.GetField(name, Any | BindingFlags.Instance) ?? throw new MissingFrameworkInternalException($"{type.FullName}.{name}");

    public static PropertyInfo StaticProperty(Type type, string name) =>
        type.GetProperty(name, Any | BindingFlags.Static) ?? throw new MissingFrameworkInternalException($"{type.FullName}.{name}");

    public static PropertyInfo Property(Type type, string name) =>
        type.GetProperty(name, Any | BindingFlags.Instance) ?? throw new MissingFrameworkInternalException($"{type.FullName}.{name}");

    public static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        type.GetMethod(name, Any | BindingFlags.Instance | BindingFlags.Static, parameters) ?? throw new MissingFrameworkInternalException($"{type.FullName}.{name}");

    /// <summary>Walks a singly linked list of framework objects: <paramref name="next"/> is the link field.</summary>
    public static IEnumerable<object> Chain(object? head, FieldInfo next)
    {
        for (var node = head; node is not null; node = next.GetValue(node))
        {
            yield return node;
        }
    }

    /// <summary>The assembly that a delegate's (first) method comes from, for messages.</summary>
    public static string LibraryOf(Delegate? handler) =>
        handler?.Method.Module.Assembly.GetName().Name ?? "?";
}
