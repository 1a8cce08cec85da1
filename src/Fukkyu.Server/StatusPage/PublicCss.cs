namespace Fukkyu.Server.StatusPage;

/// <summary>
/// The public page's stylesheet, inlined into every page: one request per page, nothing to go
/// missing on a CDN. A constant of ours, never user text.
/// </summary>
internal static class PublicCss
{
    public const string Text = """
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--accent:#0b5cad;--ok:#1a7f37;--minor:#8a5a00;--major:#a04b00;--critical:#b42318;--maint:#0b5cad;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP","Yu Gothic",sans-serif;line-height:1.6;color:var(--fg);background:var(--bg)}
body{margin:0}a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f4b400;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:10}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header.site{background:#0d1b2a;color:#fff;padding:.75rem 1rem}header.site a{color:#fff}
.site-inner,main,footer.site{max-width:60rem;margin:0 auto}
.site-inner{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem}
.brand{font-weight:700;font-size:1.15rem;text-decoration:none}
header.site nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
header.site nav a[aria-current=page]{font-weight:700;text-decoration:none;border-bottom:2px solid #fff}
.langs{margin-left:auto;display:flex;gap:.75rem}.langs a[aria-current=true]{font-weight:700;text-decoration:none}
main{padding:1rem}h1{font-size:1.5rem;margin:.5rem 0 1rem;overflow-wrap:anywhere}h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.25rem;margin-top:2rem}h3{font-size:1.05rem;margin:.25rem 0;overflow-wrap:anywhere}
.overall{color:#fff;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0;font-size:1.25rem;font-weight:700}
.overall.none{background:var(--ok)}.overall.minor{background:var(--minor)}.overall.major{background:var(--major)}.overall.critical{background:var(--critical)}.overall.maintenance{background:var(--maint)}
.updated{color:var(--muted);font-size:.9rem}
article.incident{border:1px solid var(--line);border-left:6px solid var(--critical);border-radius:6px;padding:.75rem 1rem;margin:1rem 0;background:var(--panel)}
article.incident.impact-minor{border-left-color:var(--minor)}article.incident.impact-major{border-left-color:var(--major)}article.incident.impact-maintenance{border-left-color:var(--maint)}
.badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;border:1px solid currentColor;margin-right:.25rem}
dl.items{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}dl.items dt{font-weight:600}dl.items dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.update{border-top:1px solid var(--line);padding-top:.5rem;margin-top:.5rem}.update .when{color:var(--muted);font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;font-weight:700;padding:.25rem 0}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}th[scope=col]{font-size:.9rem;color:var(--muted)}
.st{font-weight:600;white-space:nowrap}.st-operational{color:var(--ok)}.st-degraded_performance{color:var(--minor)}.st-partial_outage{color:var(--major)}.st-major_outage{color:var(--critical)}.st-under_maintenance{color:var(--maint)}
.uptime{display:block;margin-top:.2rem}.uptime svg{width:100%;max-width:30rem;height:1.25rem;display:block}.uptime .pct{font-size:.8rem;color:var(--muted)}
.nodata{color:var(--muted);font-size:.85rem}.prose{white-space:pre-wrap;overflow-wrap:anywhere}
ul.plain{list-style:none;padding:0}ul.plain li{margin:.4rem 0}
form.subscribe{display:grid;gap:.75rem;max-width:36rem}form.subscribe label{font-weight:600}form.subscribe input[type=email]{font:inherit;padding:.45rem;border:1px solid #8c959f;border-radius:4px;width:100%;box-sizing:border-box}
fieldset{border:1px solid var(--line);border-radius:6px}.checks{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.1rem .75rem}.checks label{font-weight:400}
button{font:inherit;padding:.5rem 1rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
footer.site{padding:1rem;color:var(--muted);font-size:.9rem;border-top:1px solid var(--line);margin-top:2rem}footer.site ul{display:flex;flex-wrap:wrap;gap:.5rem 1rem;list-style:none;padding:0}
@media (max-width:40rem){main{padding:.75rem}dl.items{grid-template-columns:1fr}dl.items dt{margin-top:.35rem}.matrix thead{display:none}.matrix tr{display:block;border-bottom:1px solid var(--line);padding:.35rem 0}.matrix td,.matrix th{display:block;border:0;padding:.1rem .25rem}.matrix td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}}
""";
}
