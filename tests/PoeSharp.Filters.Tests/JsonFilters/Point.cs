namespace PoeSharp.Filters.Tests.JsonFilters;

public sealed record Point(int X, string Name, double Y);
