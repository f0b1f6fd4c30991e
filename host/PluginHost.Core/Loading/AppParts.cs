using Microsoft.AspNetCore.Http;

namespace PluginHost.Core.Loading;

/// <summary>What a hosting kind builds for one app generation: its container, its lifecycle and its request pipeline.</summary>
internal sealed record AppParts(IAppContainer Container, IAppLifecycle Lifecycle, RequestDelegate Pipeline);
