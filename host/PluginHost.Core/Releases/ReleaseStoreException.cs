namespace PluginHost.Core.Releases;

/// <summary>
/// A release operation was refused because of something the user can fix (bad name, missing version,
/// nothing to roll back to…). The message says what is wrong and what to do; nothing was changed.
/// </summary>
public sealed class ReleaseStoreException : Exception
{
    public ReleaseStoreException(string message) : base(message)
    {
    }

    public ReleaseStoreException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
