using PluginHost.Serving;

var configPath = args.SkipWhile(a => a != "--config").Skip(1).FirstOrDefault() ?? "config.yaml";
var urls = args.SkipWhile(a => a != "--urls").Skip(1).FirstOrDefault()?.Split(';', StringSplitOptions.RemoveEmptyEntries);
return await ServeCommand.RunAsync(configPath, urls);
