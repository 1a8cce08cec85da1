namespace Fukkyu.Server.Ui;

/// <summary>Texts of the operator UI shell (UiStrings.resx, UiStrings.ja.resx).</summary>
public sealed class UiStrings;
