using LandkreisLizenz.Web.Hosting;

if (args.Length > 0 && CommandLine.IsCommand(args[0]))
{
    return CommandLine.Run(args);
}

var app = LandkreisLizenzApp.Build(args);
app.Run();
return 0;

/// <summary>Entry point; public for <c>WebApplicationFactory</c>.</summary>
public partial class Program;
