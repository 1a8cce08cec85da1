using System.Globalization;
using Fukkyu.Tools.SmtpSink;

// dotnet run --project tools/SmtpSink -- [port] [directory]
// Receives mail on 127.0.0.1 and prints a running count; with a directory, writes each message as .eml.
var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2525;
var dir = args.Length > 1 ? args[1] : null;
await using var sink = new SmtpSinkServer(port, dir);
Console.WriteLine($"SMTP sink listening on 127.0.0.1:{sink.Port}{(dir is null ? "" : $", writing to {dir}")}. Ctrl+C to stop.");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var last = -1;
while (!stop.IsCancellationRequested)
{
    try
    {
        await Task.Delay(1000, stop.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }
    if (sink.Count != last)
    {
        last = sink.Count;
        Console.WriteLine($"{DateTime.Now:HH:mm:ss} received {last}");
    }
}
