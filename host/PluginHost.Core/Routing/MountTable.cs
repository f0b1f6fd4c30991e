namespace PluginHost.Core.Routing;

/// <summary>A match: the target and the part of the path that is its mount.</summary>
public readonly record struct MountMatch<T>(T Target, string Mount);

/// <summary>
/// Finds the app for a request by longest-prefix match on whole path segments, whatever the order of the
/// config: a direct dictionary lookup per segment boundary, never a routing pass. An app bound to
/// host names wins over a catch-all app on the same mount.
/// </summary>
public sealed class MountTable<T> where T : class
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <param name="mounts">(mount, hosts, target, name) — mount normalised: "/" or "/a/b".</param>
    public MountTable(IEnumerable<(string Mount, IReadOnlyList<string> Hosts, T Target, string Name)> mounts)
    {
        foreach (var (mount, hosts, target, name) in mounts)
        {
            var entry = _entries.TryGetValue(mount, out var found) ? found : _entries[mount] = new Entry(mount);
            entry.Add(hosts, target, name);
        }

        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool TryMatch(string? host, ReadOnlySpan<char> path, out MountMatch<T> match)
    {
        if (path.IsEmpty)
        {
            path = "/";
        }

        for (var end = path.Length; end > 0; end = path[..end].LastIndexOf('/'))
        {
            if (_lookup.TryGetValue(path[..end], out var entry) && entry.TryGet(host, out var target))
            {
                match = new MountMatch<T>(target, entry.Mount);
                return true;
            }
        }

        if (_entries.TryGetValue("/", out var root) && root.TryGet(host, out var rootTarget))
        {
            match = new MountMatch<T>(rootTarget, "/");
            return true;
        }

        match = default;
        return false;
    }

    private sealed class Entry(string mount)
    {
        private readonly Dictionary<string, (T Target, string Name)> _byHost = new(StringComparer.OrdinalIgnoreCase);
        private (T Target, string Name)? _anyHost;

        public string Mount { get; } = mount;

        public void Add(IReadOnlyList<string> hosts, T target, string name)
        {
            if (hosts.Count == 0)
            {
                ThrowIfTaken(_anyHost, "every host", name);
                _anyHost = (target, name);
                return;
            }

            foreach (var host in hosts)
            {
                ThrowIfTaken(_byHost.TryGetValue(host, out var taken) ? taken : null, $"host '{host}'", name);
                _byHost[host] = (target, name);
            }
        }

        public bool TryGet(string? host, out T target)
        {
            if (host is not null && _byHost.Count > 0 && _byHost.TryGetValue(host, out var byHost))
            {
                target = byHost.Target;
                return true;
            }

            target = _anyHost?.Target!;
            return _anyHost is not null;
        }

        private void ThrowIfTaken((T Target, string Name)? taken, string scope, string name)
        {
            if (taken is { } existing)
            {
                throw new ArgumentException($"two apps on mount '{Mount}' for {scope}: {existing.Name} and {name}");
            }
        }
    }
}
