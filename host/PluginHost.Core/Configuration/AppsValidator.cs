namespace PluginHost.Core.Configuration;

/// <summary>Checks that need every app at once: unique names, no two apps on one mount and host, no app under the admin path.</summary>
internal static class AppsValidator
{
    public static void Validate(IReadOnlyList<LocatedApp> apps, AdminConfig admin, ConfigErrors errors)
    {
        for (var later = 0; later < apps.Count; later++)
        {
            for (var earlier = 0; earlier < later; earlier++)
            {
                CheckNames(apps[earlier], apps[later], errors);
                CheckMounts(apps[earlier], apps[later], errors);
            }

            CheckAdminPath(apps[later], admin, errors);
        }
    }

    private static void CheckNames(LocatedApp first, LocatedApp second, ConfigErrors errors)
    {
        if (string.Equals(first.App.Name, second.App.Name, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(second.NameLine, $"{second.Key}.name",
                $"app name '{second.App.Name}' is already used by {first.Key}; app names must be unique (ignoring case)");
        }
    }

    private static void CheckMounts(LocatedApp first, LocatedApp second, ConfigErrors errors)
    {
        if (!string.Equals(first.App.Mount, second.App.Mount, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var clash = SharedHosts(first.App.Hosts, second.App.Hosts);
        if (clash is not null)
        {
            errors.Add(second.MountLine, $"{second.Key}.mount",
                $"two apps on mount '{second.App.Mount}' for {clash}: {first.App.Name} and {second.App.Name}");
        }
    }

    /// <summary>Describes where two host lists overlap ("all hosts", "host 'a.example'"), or null when they do not.</summary>
    private static string? SharedHosts(IReadOnlyList<string> first, IReadOnlyList<string> second)
    {
        if (first.Count == 0 && second.Count == 0)
        {
            return "all hosts";
        }

        var shared = first.Intersect(second, StringComparer.OrdinalIgnoreCase).ToList();
        return shared.Count switch
        {
            0 => null,
            1 => $"host '{shared[0]}'",
            _ => $"hosts {string.Join(", ", shared.Select(host => $"'{host}'"))}",
        };
    }

    private static void CheckAdminPath(LocatedApp located, AdminConfig admin, ConfigErrors errors)
    {
        // With admin.urls the admin surface has its own listeners, so it cannot shadow an app.
        if (admin.Urls.Count == 0 && located.App.Mount != MountPath.Root && MountPath.Covers(admin.Path, located.App.Mount))
        {
            errors.Add(located.MountLine, $"{located.Key}.mount",
                $"mount '{located.App.Mount}' is inside admin.path '{admin.Path}', which the admin surface answers; pick another mount or admin.path");
        }
    }
}
