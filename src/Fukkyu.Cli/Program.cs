namespace Fukkyu.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) =>
        FukkyuCli.RunAsync(args, Console.Out, Console.Error, CliSettings.FromEnvironment());
}
