using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.PostIncident;

/// <summary>
/// Prints HTML to PDF with headless Chromium where it is installed. Each print runs in its own
/// temporary profile and folder, with a time limit, and a bounded number at once. The documents carry
/// a Content-Security-Policy that forbids scripts and every external load.
/// </summary>
public sealed class ChromiumPdf(IOptions<ReportOptions> options, ILogger<ChromiumPdf> log)
{
    private static readonly string[] Candidates =
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/snap/bin/chromium"];

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentPdfs));

    public string? ExecutablePath => options.Value.ChromiumPath is { Length: > 0 } configured
        ? File.Exists(configured) ? configured : null
        : Candidates.FirstOrDefault(File.Exists);

    public bool Available => ExecutablePath is not null;

    /// <summary>The PDF, or null when Chromium is not installed or failed (logged).</summary>
    public async Task<byte[]?> PrintAsync(string html, CancellationToken ct)
    {
        var exe = ExecutablePath;
        if (exe is null)
        {
            return null;
        }
        await _slots.WaitAsync(ct);
        var dir = Directory.CreateTempSubdirectory("fukkyu-pdf-");
        try
        {
            var input = Path.Combine(dir.FullName, "document.html");
            var output = Path.Combine(dir.FullName, "document.pdf");
            await File.WriteAllTextAsync(input, html, ct);
            var psi = new ProcessStartInfo(exe)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in Arguments(dir.FullName, input, output))
            {
                psi.ArgumentList.Add(arg);
            }
            using var process = Process.Start(psi);
            if (process is null)
            {
                return null;
            }
            // Drain the pipes so a chatty Chromium never blocks on a full buffer.
            var stderr = process.StandardError.ReadToEndAsync(ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(5, options.Value.PdfTimeoutSeconds)));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (ct.IsCancellationRequested)
                {
                    throw;
                }
                log.LogWarning("Chromium did not print within {Seconds} s.", options.Value.PdfTimeoutSeconds);
                return null;
            }
            if (process.ExitCode != 0 || !File.Exists(output))
            {
                log.LogWarning("Chromium failed to print (exit {Code}): {Error}", process.ExitCode, Tail(await stderr));
                return null;
            }
            return await File.ReadAllBytesAsync(output, ct);
        }
        finally
        {
            _slots.Release();
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold its profile for a moment; the temp folder is cleaned eventually.
            }
        }
    }

    private IEnumerable<string> Arguments(string dir, string input, string output)
    {
        yield return "--headless";
        if (options.Value.ChromiumNoSandbox)
        {
            yield return "--no-sandbox";
        }
        yield return "--disable-gpu";
        yield return "--disable-dev-shm-usage";
        yield return "--disable-extensions";
        yield return "--disable-background-networking";
        yield return "--no-first-run";
        yield return "--no-pdf-header-footer";
        yield return "--print-to-pdf-no-header";
        yield return $"--user-data-dir={Path.Combine(dir, "profile")}";
        yield return $"--print-to-pdf={output}";
        yield return new Uri(input).AbsoluteUri;
    }

    private static string Tail(string s) => s.Length > 1000 ? s[^1000..] : s;
}
