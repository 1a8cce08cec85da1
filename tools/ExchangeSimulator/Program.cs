namespace ExchangeSimulator;

/// <summary>
/// A fake crypto-asset exchange for demos, tests and benchmarks: bitbank-shaped public API,
/// deposit/withdrawal queues, node heights, hot wallets, a website and an app health endpoint,
/// and a fault-injection API. Listens on loopback only. See README.md.
/// </summary>
public static class Program
{
    public const int DefaultPort = 18180;

    public static async Task<int> Main(string[] args)
    {
        var port = DefaultPort;
        string? scenario = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p is > 0 and < 65536:
                    port = p;
                    i++;
                    break;
                case "--scenario" when i + 1 < args.Length:
                    scenario = args[++i];
                    break;
                case "--help" or "-h":
                    Console.WriteLine("exchange-simulator [--port 18180] [--scenario steps.json]");
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown argument: {args[i]} (try --help)");
                    return 2;
            }
        }
        var app = SimulatorHost.Build(port);
        if (scenario is not null)
        {
            var steps = await File.ReadAllTextAsync(scenario);
            var exchange = app.Services.GetRequiredService<Exchange>();
            var errors = exchange.Faults.Schedule(ScenarioParser.Parse(steps, out var parseErrors) ?? [], exchange.Now);
            if (parseErrors.Count > 0 || errors.Count > 0)
            {
                Console.Error.WriteLine($"Scenario {scenario} is invalid: {string.Join("; ", parseErrors.Concat(errors))}");
                return 2;
            }
        }
        await app.RunAsync();
        return 0;
    }
}
