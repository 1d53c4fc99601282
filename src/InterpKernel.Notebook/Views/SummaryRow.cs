namespace InterpKernel.Notebook.Views;

/// <summary>One line of a <see cref="SummaryTableView"/>: a quantity, its value as text, and what it means.</summary>
/// <param name="Name">The quantity, such as "explained variance".</param>
/// <param name="Value">Its value, formatted.</param>
/// <param name="Description">A short explanation, or empty.</param>
public sealed record SummaryRow(string Name, string Value, string Description = "");
