using System.Globalization;

namespace ExchangeSimulator;

public sealed record PairSpec(string Name, string Base, decimal Price, int Decimals);

public sealed record ChainSpec(string Name, long Height, double BlockSeconds);

public sealed record NetworkSpec(string Asset, string Network);

/// <summary>
/// The simulated exchange. Everything it reports is a function of the clock and the faults in
/// force — prices, sequence numbers, block heights, queue ages — so the same requests at the same
/// times give the same answers.
/// </summary>
public sealed class Exchange(TimeProvider time)
{
    /// <summary>The pairs of Fukkyu's sample catalog.</summary>
    public static readonly PairSpec[] Pairs =
    [
        new("btc_jpy", "btc", 15_000_000m, 0), new("eth_jpy", "eth", 550_000m, 0), new("xrp_jpy", "xrp", 350m, 3),
        new("ltc_jpy", "ltc", 15_000m, 1), new("sol_jpy", "sol", 30_000m, 1), new("doge_jpy", "doge", 55m, 3),
        new("bcc_jpy", "bcc", 70_000m, 0), new("mona_jpy", "mona", 60m, 3),
    ];

    public static readonly ChainSpec[] Chains =
    [
        new("bitcoin", 870_000, 600), new("ethereum", 21_000_000, 12), new("arbitrum", 280_000_000, 0.25),
        new("xrpl", 92_000_000, 4), new("solana", 300_000_000, 0.4), new("litecoin", 2_800_000, 150),
    ];

    /// <summary>Assets and networks of the sample catalog (deposit.btc.bitcoin …).</summary>
    public static readonly NetworkSpec[] Networks =
    [
        new("jpy", "bank"), new("btc", "bitcoin"), new("btc", "lightning"), new("eth", "ethereum"), new("eth", "arbitrum"),
        new("xrp", "xrpl"), new("sol", "solana"), new("ltc", "litecoin"),
    ];

    public static readonly Dictionary<string, decimal> HotWallets = new()
    {
        ["btc"] = 25m, ["eth"] = 400m, ["xrp"] = 2_000_000m, ["sol"] = 30_000m, ["ltc"] = 5_000m,
    };

    public static string[] QueueStatuses(string direction) => direction == "deposit" ? ["CONFIRMING"] : ["EXAMINING", "SENDING"];

    private readonly DateTimeOffset _start = time.GetUtcNow();

    public FaultBoard Faults { get; } = new();

    public DateTimeOffset Now => time.GetUtcNow();

    public TimeProvider Time => time;

    private static double Seconds(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (to - from).TotalSeconds);

    private static IEnumerable<ActiveFault> OfType(List<ActiveFault> faults, string type) => faults.Where(f => f.Spec.Type == type);

    public bool Halted(string pair, List<ActiveFault> faults) => OfType(faults, FaultTypes.Halt).Any(f => f.Spec.Pair == pair);

    /// <summary>The moment the pair's market data froze (stalled or halted), or now.</summary>
    private DateTimeOffset MarketTime(string pair, List<ActiveFault> faults, DateTimeOffset now)
    {
        var frozen = OfType(faults, FaultTypes.StallTicker).Concat(OfType(faults, FaultTypes.Halt))
            .Where(f => f.Spec.Pair == pair).Select(f => (DateTimeOffset?)f.StartedAt).Min();
        return frozen is { } at && at < now ? at : now;
    }

    /// <summary>Four ticks a second: the order book's sequence number.</summary>
    private long Tick(DateTimeOffset at) => (long)(Seconds(_start, at) * 4) + 1_000_000;

    private static decimal Price(PairSpec pair, long tick)
    {
        // A slow, deterministic wobble of ±0.4% around the reference price.
        var phase = pair.Name.Aggregate(0, (h, c) => (h * 31) + c) % 100;
        var factor = 1 + (0.004 * Math.Sin((tick / 40.0) + phase));
        return Math.Round(pair.Price * (decimal)factor, pair.Decimals);
    }

    public static string Num(decimal d) => d.ToString("0.##########", CultureInfo.InvariantCulture);

    public object Status(List<ActiveFault> faults) => new
    {
        success = 1,
        data = new
        {
            statuses = Pairs.Select(p => new { pair = p.Name, status = Halted(p.Name, faults) ? "HALT" : "NORMAL", min_amount = "0.0001" }).ToArray(),
        },
    };

    public object PairsInfo(List<ActiveFault> faults) => new
    {
        success = 1,
        data = new
        {
            pairs = Pairs.Select(p =>
            {
                var halted = Halted(p.Name, faults);
                return new
                {
                    name = p.Name,
                    base_asset = p.Base,
                    quote_asset = "jpy",
                    price_digits = p.Decimals,
                    amount_digits = 4,
                    unit_amount = "0.0001",
                    is_enabled = !halted,
                    stop_order = halted,
                    stop_order_and_cancel = halted,
                    stop_market_order = halted,
                    stop_stop_order = halted,
                    stop_stop_limit_order = halted,
                    stop_buy_order = halted,
                    stop_sell_order = halted,
                };
            }).ToArray(),
        },
    };

    public object? Ticker(string pair, List<ActiveFault> faults)
    {
        var spec = Pairs.FirstOrDefault(p => p.Name == pair);
        if (spec is null)
        {
            return null;
        }
        var at = MarketTime(pair, faults, Now);
        var tick = Tick(at);
        var last = Price(spec, tick);
        var step = Math.Max(Math.Round(spec.Price * 0.0002m, spec.Decimals), spec.Decimals == 0 ? 1 : 0.001m);
        return new
        {
            success = 1,
            data = new
            {
                sell = Num(last + step),
                buy = Num(last - step),
                high = Num(Math.Round(spec.Price * 1.005m, spec.Decimals)),
                low = Num(Math.Round(spec.Price * 0.995m, spec.Decimals)),
                open = Num(spec.Price),
                last = Num(last),
                vol = Num(1234.5678m),
                timestamp = at.ToUnixTimeMilliseconds(),
            },
        };
    }

    public object? Depth(string pair, List<ActiveFault> faults)
    {
        var spec = Pairs.FirstOrDefault(p => p.Name == pair);
        if (spec is null)
        {
            return null;
        }
        var at = MarketTime(pair, faults, Now);
        var tick = Tick(at);
        var last = Price(spec, tick);
        var step = Math.Max(Math.Round(spec.Price * 0.0002m, spec.Decimals), spec.Decimals == 0 ? 1 : 0.001m);
        string[][] Levels(int sign) => [.. Enumerable.Range(1, 5).Select(i => new[] { Num(last + (sign * step * i)), Num(0.1m * i) })];
        return new
        {
            success = 1,
            data = new
            {
                asks = Levels(1),
                bids = Levels(-1),
                asks_over = "0", bids_under = "0", asks_under = "0", bids_over = "0", ask_market = "0", bid_market = "0",
                timestamp = at.ToUnixTimeMilliseconds(),
                sequenceId = tick.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    public object Queues(string direction, List<ActiveFault> faults)
    {
        var now = Now;
        return new
        {
            success = 1,
            data = new
            {
                queues = Networks.Select(n => new
                {
                    asset = n.Asset,
                    network = n.Network,
                    statuses = QueueStatuses(direction).ToDictionary(s => s, s =>
                    {
                        // A healthy baseline: a couple of items, a minute or two old.
                        var count = s == "SENDING" ? 1 : 2;
                        var oldest = s == "CONFIRMING" ? 120.0 : 60.0;
                        foreach (var f in OfType(faults, FaultTypes.QueueBacklog).Where(f => f.Spec.Direction == direction && f.Spec.Status == s
                            && f.Spec.Asset == n.Asset && (f.Spec.Network is null || f.Spec.Network == n.Network)))
                        {
                            count += f.Spec.Count ?? 0;
                            oldest = Math.Max(oldest, (f.Spec.AgeSeconds ?? 0) + Seconds(f.StartedAt, now));
                        }
                        return new { count, oldest_age_seconds = (long)oldest };
                    }),
                }).ToArray(),
            },
        };
    }

    public long ReferenceHeight(ChainSpec chain) => chain.Height + (long)(Seconds(_start, Now) / chain.BlockSeconds);

    public long NodeHeight(ChainSpec chain, List<ActiveFault> faults)
    {
        var lag = OfType(faults, FaultTypes.NodeLag).Where(f => f.Spec.Chain == chain.Name).Select(f => f.Spec.Blocks ?? 0).DefaultIfEmpty(0).Max();
        return ReferenceHeight(chain) - lag;
    }

    public decimal HotWalletBalance(string asset, List<ActiveFault> faults)
    {
        var balance = HotWallets.GetValueOrDefault(asset);
        var now = Now;
        foreach (var f in OfType(faults, FaultTypes.HotWalletOutflow).Where(f => f.Spec.Asset == asset))
        {
            balance -= (f.Spec.AmountPerSecond ?? 0) * (decimal)Seconds(f.StartedAt, now);
        }
        return Math.Max(0, Math.Round(balance, 8));
    }
}
