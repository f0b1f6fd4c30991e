namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>What tests/scripts/install-*.sh exit with.</summary>
public static class InstallScripts
{
    /// <summary>The program cannot be installed here (not root, or no apt-get): tests that need it skip, naming this.</summary>
    public const int CannotInstall = 3;
}
