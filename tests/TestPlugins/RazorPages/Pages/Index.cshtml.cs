using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPages.Pages;

public sealed class IndexModel(GuestBook book) : PageModel
{
    public IReadOnlyList<GuestBookEntry> Entries { get; private set; } = [];

    public void OnGet() => Entries = book.Entries;
}
