using System.Net;
using System.Net.Sockets;

var contentRoot = args.Where(a => a.StartsWith("--contentRoot=", StringComparison.OrdinalIgnoreCase)).Select(a => a["--contentRoot=".Length..]).LastOrDefault() ?? ".";
var modeFile = Path.Combine(contentRoot, "mode.txt");
var mode = (File.Exists(modeFile) ? File.ReadAllText(modeFile).Trim() : "serve").Split(' ');
switch (mode[0])
{
    case "throw":
        throw new InvalidOperationException("connection string 'Orders' is not configured");
    case "return":
        Console.WriteLine("nothing to serve");
        return;
    case "bind":
        // Port-binding code of its own (a metrics listener, say), before the web host.
        using (var listener = new TcpListener(IPAddress.Loopback, int.Parse(mode[1])))
        {
            listener.Start();
        }

        break;
    case "console":
        Host.CreateDefaultBuilder(args).Build().Run();
        return;
}

var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => "served");
app.Run();
