using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPages.Pages;

public sealed class SignModel(GuestBook book) : PageModel
{
    [BindProperty]
    public SignInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public IActionResult OnPost()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        book.Sign(Input.Name!, Input.Message!);
        return RedirectToPage("/Index");
    }
}

public sealed class SignInput
{
    [Required]
    [StringLength(40, MinimumLength = 2)]
    [Display(Name = "Your name")]
    public string? Name { get; set; }

    [Required]
    [StringLength(200)]
    public string? Message { get; set; }
}
