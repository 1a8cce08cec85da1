using Microsoft.AspNetCore.Components;

namespace Fukkyu.Server.Ui;

/// <summary>A link in the operator UI's main navigation, added by the feature that owns the page.</summary>
/// <param name="Text">The link text in the reader's language (called per request).</param>
/// <param name="Policy">Shown only to people this policy admits; null for everyone signed in.</param>
public sealed record NavItem(int Order, string Href, Func<string> Text, string? Policy = null);

/// <summary>
/// A panel a feature contributes to a shared page: the dashboard (<c>/ops</c>) or the incident
/// page. Incident panels receive an <c>IncidentId</c> (Guid) parameter.
/// </summary>
public sealed record UiPanel(string Page, int Order, Type Component, string? Policy = null);

public static class UiPanels
{
    public const string Dashboard = "dashboard";
    public const string Incident = "incident";

    public static IServiceCollection AddNavItem(this IServiceCollection services, NavItem item) => services.AddSingleton(item);

    public static IServiceCollection AddUiPanel<TComponent>(this IServiceCollection services, string page, int order, string? policy = null)
        where TComponent : IComponent =>
        services.AddSingleton(new UiPanel(page, order, typeof(TComponent), policy));
}
