using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Controls;

/// <summary>One rendering of the board: the JSON documents and their ETags.</summary>
public sealed record BoardSnapshot(string Stamp, BoardDto Board, byte[] Json, string ETag, byte[] SpotStatus, byte[] SpotPairs, byte[] Assets, string ExchangeETag);

/// <summary>
/// The board as the exchange's services read it, rendered once per change and served from memory:
/// readers never query the controls themselves, only a cheap "did anything change" stamp at most
/// every quarter second (which is how changes made on another node arrive). Long-polls wait on
/// this node's change signal and on that stamp.
/// </summary>
public sealed class ControlBoard : IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PollOtherNodes = TimeSpan.FromSeconds(1);
    private readonly IServiceScopeFactory _scopes;
    private readonly ChangeSignal _signal;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BoardSnapshot? _snapshot;
    private long _checkedAt;
    private volatile bool _dirty = true;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ControlBoard(IServiceScopeFactory scopes, ChangeSignal signal)
    {
        _scopes = scopes;
        _signal = signal;
        _signal.Changed += OnChanged;
    }

    private void OnChanged(string topic)
    {
        if (topic is ControlService.Topic or ChangeSignal.Components)
        {
            _dirty = true;
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    public async Task<BoardSnapshot> CurrentAsync(CancellationToken ct)
    {
        if (_snapshot is { } s && !_dirty && Stopwatch.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < CheckEvery)
        {
            return s;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_snapshot is { } again && !_dirty && Stopwatch.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < CheckEvery)
            {
                return again;
            }
            _dirty = false;
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var stamp = await StampAsync(db, ct);
            if (_snapshot is null || _snapshot.Stamp != stamp)
            {
                _snapshot = await BuildAsync(db, stamp, ct);
            }
            Interlocked.Exchange(ref _checkedAt, Stopwatch.GetTimestamp());
            return _snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Returns as soon as the board differs from <paramref name="etag"/>, or after <paramref name="wait"/> with the same board.</summary>
    public async Task<BoardSnapshot> WaitForChangeAsync(string etag, TimeSpan wait, Func<BoardSnapshot, string> etagOf, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var changed = _changed.Task;
            var s = await CurrentAsync(ct);
            var left = wait - Stopwatch.GetElapsedTime(started);
            if (etagOf(s) != etag || left <= TimeSpan.Zero)
            {
                return s;
            }
            // Real time on purpose: a long-poll is about the wall clock the client waits on.
            await Task.WhenAny(changed, Task.Delay(left < PollOtherNodes ? left : PollOtherNodes, ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    private static async Task<string> StampAsync(FukkyuDb db, CancellationToken ct)
    {
        var last = await db.Set<ControlChange>().MaxAsync(c => (long?)c.Id, ct) ?? 0;
        var count = await db.Components.CountAsync(ct);
        var max = await db.Components.MaxAsync(c => (DateTime?)c.UpdatedAt, ct);
        return $"{last}:{count}:{max?.Ticks ?? 0}";
    }

    private static async Task<BoardSnapshot> BuildAsync(FukkyuDb db, string stamp, CancellationToken ct)
    {
        var categories = new[] { ComponentCategory.Trading, ComponentCategory.Deposit, ComponentCategory.Withdrawal, ComponentCategory.Api };
        var components = await db.Components.AsNoTracking().Include(c => c.Group).Where(c => categories.Contains(c.Category)).ToListAsync(ct);
        var controls = await db.Set<Control>().AsNoTracking().ToDictionaryAsync(c => c.ComponentId, ct);
        var version = await db.Set<ControlChange>().MaxAsync(c => (long?)c.Id, ct) ?? 0;
        var rows = components
            .OrderBy(c => c.Group?.Position ?? int.MaxValue).ThenBy(c => c.Position).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => (Component: c, Control: controls.GetValueOrDefault(c.Id) ?? new Control { ComponentId = c.Id, Kind = ControlService.KindOf(c)!.Value }))
            .ToList();
        var dtos = rows.Select(r => ControlDto.From(r.Component, r.Control)).ToList();
        var updated = controls.Count == 0 ? (DateTime?)null : controls.Values.Max(c => c.ChangedAt);
        var board = new BoardDto(version, updated,
            [.. dtos.Where(d => d.Kind == ControlKind.Trading)], [.. dtos.Where(d => d.Kind == ControlKind.Deposit)],
            [.. dtos.Where(d => d.Kind == ControlKind.Withdrawal)], [.. dtos.Where(d => d.Kind == ControlKind.Api)]);
        var json = JsonSerializer.SerializeToUtf8Bytes(board, ControlsApi.Json);

        // The exchange's bitbank-shaped documents show public components only.
        var pub = rows.Where(r => r.Component.Public).ToList();
        var trading = pub.Where(r => r.Control.Kind == ControlKind.Trading && r.Component.Pair is not null).ToList();
        var status = JsonSerializer.SerializeToUtf8Bytes(new
        {
            success = 1,
            data = new { statuses = trading.Select(r => new { pair = r.Component.Pair, status = ExchangeApi.StatusName(r.Control.Trading), min_amount = r.Control.MinAmount }) },
        });
        var pairs = JsonSerializer.SerializeToUtf8Bytes(new
        {
            success = 1,
            data = new
            {
                pairs = trading.Select(r =>
                {
                    var f = r.Control.Flags;
                    var split = r.Component.Pair!.Split('_', 2);
                    return new
                    {
                        name = r.Component.Pair,
                        base_asset = split[0],
                        quote_asset = split.Length > 1 ? split[1] : "",
                        is_enabled = r.Control.Trading != TradingState.Halt,
                        stop_order = f.StopOrder,
                        stop_order_and_cancel = f.StopOrderAndCancel,
                        stop_market_order = f.StopMarketOrder,
                        stop_stop_order = f.StopStopOrder,
                        stop_stop_limit_order = f.StopStopLimitOrder,
                        stop_buy_order = f.StopBuyOrder,
                        stop_sell_order = f.StopSellOrder,
                    };
                }),
            },
        });
        var transfers = pub.Where(r => r.Control.Kind is ControlKind.Deposit or ControlKind.Withdrawal && r.Component.Asset is not null).ToList();
        var assets = JsonSerializer.SerializeToUtf8Bytes(new
        {
            success = 1,
            data = new
            {
                assets = transfers.GroupBy(r => r.Component.Asset!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new
                {
                    asset = g.Key,
                    stop_deposit = g.Any(r => r.Control.Kind == ControlKind.Deposit && r.Control.Transfer == TransferState.Suspended),
                    stop_withdrawal = g.Any(r => r.Control.Kind == ControlKind.Withdrawal && r.Control.Transfer == TransferState.Suspended),
                    network_list = g.GroupBy(r => r.Component.Network ?? "").OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new
                    {
                        network = n.Key,
                        stop_deposit = n.Any(r => r.Control.Kind == ControlKind.Deposit && r.Control.Transfer == TransferState.Suspended),
                        stop_withdrawal = n.Any(r => r.Control.Kind == ControlKind.Withdrawal && r.Control.Transfer == TransferState.Suspended),
                    }),
                }),
            },
        });
        return new BoardSnapshot(stamp, board, json, ETagOf(json), status, pairs, assets, ETagOf([.. status, .. pairs, .. assets]));
    }

    private static string ETagOf(byte[] bytes) => "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"";

    public void Dispose()
    {
        _signal.Changed -= OnChanged;
        _gate.Dispose();
    }
}
