using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fukkyu.Tools.SmtpSink;

/// <summary>A message as the sink received it: envelope and raw RFC 5322 data.</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Data)
{
    /// <summary>First value of a header, unfolded; null when absent.</summary>
    public string? Header(string name)
    {
        var head = Data.Split("\r\n\r\n", 2)[0].Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && string.Equals(line[..colon], name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }
}

/// <summary>
/// A small SMTP server for tests, demos and benchmarks — a fake, never part of the product. It
/// speaks enough SMTP for MailKit and Postfix clients (EHLO, MAIL, RCPT, DATA with dot-unstuffing,
/// RSET, NOOP, QUIT), keeps every message in memory, and can refuse recipients to test failures.
/// </summary>
public sealed class SmtpSinkServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentQueue<ReceivedMail> _messages = new();
    private readonly string? _directory;
    private int _counter;

    public SmtpSinkServer(int port = 0, string? directory = null)
    {
        _directory = directory;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start(backlog: 512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public IReadOnlyCollection<ReceivedMail> Messages => _messages;

    public int Count => _messages.Count;

    /// <summary>Recipients answered 550 (permanent) at RCPT.</summary>
    public ConcurrentDictionary<string, bool> Rejected { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Recipients answered 451 (transient) at RCPT, this many more times.</summary>
    public ConcurrentDictionary<string, int> Deferred { get; } = new(StringComparer.OrdinalIgnoreCase);

    public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Count < count && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }
        return Count >= count;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        // Replies are small and pipelined: without this, Nagle and delayed ACKs stall each exchange ~40 ms.
        client.NoDelay = true;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.Latin1);
            var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 fukkyu-smtp-sink ready");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteAsync("250-fukkyu-smtp-sink\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 fukkyu-smtp-sink");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        var rcpt = Address(line);
                        if (Rejected.ContainsKey(rcpt))
                        {
                            await writer.WriteLineAsync("550 5.1.1 mailbox unavailable");
                        }
                        else if (Deferred.TryGetValue(rcpt, out var left) && left > 0)
                        {
                            Deferred[rcpt] = left - 1;
                            await writer.WriteLineAsync("451 4.3.0 try again later");
                        }
                        else
                        {
                            to.Add(rcpt);
                            await writer.WriteLineAsync("250 OK");
                        }
                        break;
                    case "DATA":
                        if (to.Count == 0)
                        {
                            await writer.WriteLineAsync("554 no valid recipients");
                            break;
                        }
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } d && d != ".")
                        {
                            data.Append(d.StartsWith("..", StringComparison.Ordinal) ? d[1..] : d).Append("\r\n");
                        }
                        var mail = new ReceivedMail(from ?? "", [.. to], data.ToString());
                        _messages.Enqueue(mail);
                        if (_directory is not null)
                        {
                            var n = Interlocked.Increment(ref _counter);
                            await File.WriteAllTextAsync(Path.Combine(_directory, $"{n:D8}.eml"), mail.Data, Encoding.Latin1);
                        }
                        await writer.WriteLineAsync("250 OK queued");
                        from = null;
                        to = [];
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 command not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Client went away or the sink is stopping.
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        _stop.Dispose();
    }
}
