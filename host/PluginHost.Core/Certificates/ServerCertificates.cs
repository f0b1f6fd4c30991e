using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Certificates;

/// <summary>One certificate of server.certificate as status shows it.</summary>
/// <param name="Path">The certificate file as configured (a symlink stays a symlink here).</param>
/// <param name="Hosts">The names it answers (SNI); empty for the default certificate.</param>
/// <param name="ExpiresInSeconds">Seconds until <paramref name="NotAfter"/> (negative once expired).</param>
/// <param name="ExpiringSoon">Fewer than 14 days left: renew it.</param>
/// <param name="LoadedAt">When the serving certificate was read (start-up or the last rotation).</param>
/// <param name="LastError">Why the last replacement of the files was refused; null once files that load are in place.</param>
public sealed record CertificateStatus(string Path, IReadOnlyList<string> Hosts, string Subject, string Thumbprint, DateTimeOffset NotAfter,
    long ExpiresInSeconds, bool ExpiringSoon, DateTimeOffset LoadedAt, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>
/// The certificates the https endpoints serve, chosen per TLS handshake by the name the client asks for (SNI). Kestrel
/// calls <see cref="OptionsFor"/> for every new connection (its <c>TlsHandshakeCallbackOptions</c>); the certificate
/// context behind it is built once per certificate, not per handshake. <see cref="CheckForChanges"/> reads the files
/// again (the rotation service calls it every <c>reload.pollInterval</c>): files that changed and then stayed unchanged for
/// one check are loaded and swapped in for new handshakes, so a renewal (certbot, a Kubernetes secret, by rewriting in
/// place or by a symlink swap) needs no restart and open connections keep theirs. Files that do not make a usable
/// certificate are refused: the previous certificate keeps serving, and the refusal is logged once and shown in status.
/// </summary>
public sealed partial class ServerCertificates
{
    /// <summary>Under this much validity left a certificate is reported as expiring (log, status).</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    /// <summary>TLS 1.2 and 1.3 only.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly Slot[] _slots;
    private readonly Dictionary<string, int> _exact;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _exactBySpan;
    private readonly Dictionary<string, int> _wildcard;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wildcardBySpan;
    private readonly int _default;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _checkLock = new();

    private ServerCertificates(Slot[] slots, TimeProvider timeProvider, ILogger logger)
    {
        _slots = slots;
        _timeProvider = timeProvider;
        _logger = logger;
        _exact = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        _wildcard = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < slots.Length; i++)
        {
            foreach (var host in slots[i].Config.Hosts)
            {
                // "*.example.org" is kept as ".example.org": the part of a name from its first dot.
                _ = host.StartsWith("*.", StringComparison.Ordinal) ? _wildcard.TryAdd(host[1..], i) : _exact.TryAdd(host, i);
            }
        }

        _exactBySpan = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardBySpan = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
        var firstWithoutHosts = Array.FindIndex(slots, s => s.Config.Hosts.Count == 0);
        _default = firstWithoutHosts >= 0 ? firstWithoutHosts : 0;
    }

    /// <summary>No certificates: the host has no https URL.</summary>
    public static ServerCertificates None { get; } = new([], TimeProvider.System, NullLogger.Instance);

    public bool Any => _slots.Length > 0;

    /// <summary>
    /// Reads and checks every certificate; logs each one served and warns about those expiring within
    /// <see cref="ExpiryWarning"/>.
    /// </summary>
    /// <exception cref="CertificateException">Some certificate cannot be used: every problem, one line each.</exception>
    public static ServerCertificates Load(IReadOnlyList<CertificateConfig> configs, TimeProvider timeProvider, ILogger<ServerCertificates> logger)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var now = timeProvider.GetUtcNow();
        var slots = new List<Slot>();
        var errors = new List<ConfigError>();
        foreach (var config in configs)
        {
            try
            {
                slots.Add(new Slot(config, CertificateFiles.Load(config, CertificateFiles.Read(config), now)));
            }
            catch (CertificateException exception)
            {
                errors.AddRange(exception.Errors);
            }
        }

        if (errors.Count > 0)
        {
            throw new CertificateException(errors);
        }

        var certificates = new ServerCertificates([.. slots], timeProvider, logger);
        foreach (var slot in slots)
        {
            Log.Serving(logger, slot.Current.Leaf.Subject, slot.Config.Path, HostsText(slot.Config), CertificateFiles.Day(slot.Current.NotAfter));
            certificates.WarnAboutValidity(slot);
        }

        return certificates;
    }

    /// <summary>The TLS options of a new connection that asked for <paramref name="serverName"/> (null or empty: no SNI).</summary>
    public SslServerAuthenticationOptions OptionsFor(string? serverName) =>
        // A new options object per handshake (Kestrel fills in ALPN per endpoint), around the certificate's shared context.
        new()
        {
            ServerCertificateContext = Volatile.Read(ref _slots[SlotFor(serverName)].Current).Context,
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };

    /// <summary>The certificate a new handshake for <paramref name="serverName"/> gets now.</summary>
    public ServingCertificate For(string? serverName) => Volatile.Read(ref _slots[SlotFor(serverName)].Current);

    /// <summary>
    /// Reads every certificate's files; files that differ from the serving ones and have not changed since the last
    /// check are loaded and, when usable, serve new handshakes from now on.
    /// </summary>
    public void CheckForChanges()
    {
        lock (_checkLock)
        {
            foreach (var slot in _slots)
            {
                Check(slot);
            }
        }
    }

    public IReadOnlyList<CertificateStatus> Read()
    {
        var now = _timeProvider.GetUtcNow();
        return [.. _slots.Select(slot => slot.Status(now))];
    }

    /// <summary>Seconds each certificate has left, for <c>pluginhost_certificate_expiry_seconds</c>.</summary>
    public IEnumerable<Measurement<double>> ExpiryMeasurements()
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var slot in _slots)
        {
            var current = Volatile.Read(ref slot.Current);
            yield return new Measurement<double>((current.NotAfter - now).TotalSeconds,
                new KeyValuePair<string, object?>("path", slot.Config.Path), new KeyValuePair<string, object?>("hosts", HostsText(slot.Config)));
        }
    }

    private int SlotFor(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName) || _slots.Length == 1)
        {
            return _default;
        }

        if (_exactBySpan.TryGetValue(serverName, out var exact))
        {
            return exact;
        }

        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _wildcardBySpan.TryGetValue(serverName.AsSpan(dot), out var wildcard) ? wildcard : _default;
    }

    private void Check(Slot slot)
    {
        CertificateFileContents? contents = null;
        string fingerprint;
        string? readError = null;
        try
        {
            contents = CertificateFiles.Read(slot.Config);
            fingerprint = contents.Fingerprint;
        }
        catch (CertificateException exception)
        {
            readError = exception.Message;
            fingerprint = "unreadable: " + readError;
        }

        var current = Volatile.Read(ref slot.Current);
        if (fingerprint == current.Fingerprint)
        {
            // Back to (or still) the files that serve: nothing pending, nothing wrong.
            slot.Settled();
            return;
        }

        if (fingerprint == slot.Refused || slot.Pending != fingerprint)
        {
            // Already refused, or changed since the last check (a renewal may be writing the files one after the other):
            // wait until they stay the same for one check.
            slot.Pending = fingerprint;
            return;
        }

        var now = _timeProvider.GetUtcNow();
        try
        {
            var loaded = contents is null ? throw new CertificateException([slot.Config.Source.Error("path", readError!)]) : CertificateFiles.Load(slot.Config, contents, now);
            Volatile.Write(ref slot.Current, loaded);
            slot.Settled();
            Log.Rotated(_logger, slot.Config.Path, loaded.Leaf.Subject, CertificateFiles.Day(loaded.NotAfter), current.Leaf.Thumbprint, loaded.Leaf.Thumbprint);
            WarnAboutValidity(slot);
        }
        catch (CertificateException exception)
        {
            slot.Refuse(fingerprint, exception.Message, now);
            Log.ReplacementRefused(_logger, slot.Config.Path, current.Leaf.Thumbprint, exception.Message);
        }
    }

    private void WarnAboutValidity(Slot slot)
    {
        var now = _timeProvider.GetUtcNow();
        var current = Volatile.Read(ref slot.Current);
        var left = current.NotAfter - now;
        if (left < ExpiryWarning)
        {
            Log.ExpiringSoon(_logger, current.Leaf.Subject, slot.Config.Path, CertificateFiles.Day(current.NotAfter), left.TotalDays);
        }

        if (current.NotBefore > now)
        {
            Log.NotYetValid(_logger, current.Leaf.Subject, slot.Config.Path, CertificateFiles.Day(current.NotBefore));
        }
    }

    private static string HostsText(CertificateConfig config) => config.Hosts.Count == 0 ? "(any)" : string.Join(",", config.Hosts);

    /// <summary>One configured certificate: the one serving, and what the checks of its files have seen.</summary>
    private sealed class Slot(CertificateConfig config, ServingCertificate current)
    {
        private readonly Lock _stateLock = new();
        private string? _lastError;
        private DateTimeOffset? _lastErrorAt;

        public CertificateConfig Config { get; } = config;

        /// <summary>Read by every handshake; replaced whole on rotation.</summary>
        public ServingCertificate Current = current;

        /// <summary>The fingerprint seen at the last check when it differed from the serving files.</summary>
        public string? Pending { get; set; }

        /// <summary>The fingerprint of files that were refused (not tried again until they change).</summary>
        public string? Refused { get; private set; }

        public void Settled()
        {
            Pending = null;
            Refused = null;
            lock (_stateLock)
            {
                _lastError = null;
                _lastErrorAt = null;
            }
        }

        public void Refuse(string fingerprint, string error, DateTimeOffset at)
        {
            Refused = fingerprint;
            lock (_stateLock)
            {
                _lastError = error;
                _lastErrorAt = at;
            }
        }

        public CertificateStatus Status(DateTimeOffset now)
        {
            var current = Volatile.Read(ref Current);
            var left = current.NotAfter - now;
            lock (_stateLock)
            {
                return new CertificateStatus(Config.Path, Config.Hosts, current.Leaf.Subject, current.Leaf.Thumbprint, current.NotAfter,
                    (long)Math.Floor(left.TotalSeconds), left < ExpiryWarning, current.LoadedAt, _lastError, _lastErrorAt);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, EventName = "CertificateServing", Level = LogLevel.Information,
            Message = "Serving certificate {Subject} from {Path} for {Hosts}, valid until {NotAfter}")]
        public static partial void Serving(ILogger logger, string subject, string path, string hosts, string notAfter);

        [LoggerMessage(EventId = 101, EventName = "CertificateExpiringSoon", Level = LogLevel.Warning,
            Message = "Certificate {Subject} from {Path} expires on {NotAfter} (in {DaysLeft:0.#} days): renew it; replaced files are picked up without a restart")]
        public static partial void ExpiringSoon(ILogger logger, string subject, string path, string notAfter, double daysLeft);

        [LoggerMessage(EventId = 102, EventName = "CertificateRotated", Level = LogLevel.Information,
            Message = "Certificate files {Path} changed: new TLS handshakes now get {Subject}, valid until {NotAfter} ({OldThumbprint} -> {Thumbprint}); open connections keep theirs")]
        public static partial void Rotated(ILogger logger, string path, string subject, string notAfter, string oldThumbprint, string thumbprint);

        [LoggerMessage(EventId = 103, EventName = "CertificateReplacementRefused", Level = LogLevel.Warning,
            Message = "Certificate files {Path} changed but cannot be used; the previous certificate {Thumbprint} keeps serving: {Error}")]
        public static partial void ReplacementRefused(ILogger logger, string path, string thumbprint, string error);

        [LoggerMessage(EventId = 104, EventName = "CertificateNotYetValid", Level = LogLevel.Warning,
            Message = "Certificate {Subject} from {Path} is not valid before {NotBefore}: clients will refuse it until then (is the clock right?)")]
        public static partial void NotYetValid(ILogger logger, string subject, string path, string notBefore);
    }
}
