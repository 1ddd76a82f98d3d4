() => {
  // Links between the [n] markers in the chat and the quotes in the sources panel (ui/render.py, ui/sources.py).
  const flash = (els) => els.forEach((el) => {
    el.classList.remove("nr-flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("nr-flash");
  });
  document.addEventListener("click", (event) => {
    const cite = event.target.closest("a.nr-cite");
    if (cite) {
      event.preventDefault();
      const id = cite.getAttribute("href").slice(1);
      const target = document.getElementById(id);
      if (!target) return;
      const folded = target.closest("details");
      if (folded) folded.open = true;
      target.scrollIntoView({ behavior: "smooth", block: "center" });
      flash(document.querySelectorAll("mark." + id.replace("nr-src-", "nr-c-")));
      return;
    }
    const back = event.target.closest("a.nr-back");
    if (back) {
      event.preventDefault();
      const href = back.getAttribute("href");
      const marker = document.querySelector(`#chat a.nr-cite[href="${href}"]`);
      if (!marker) return;
      marker.scrollIntoView({ behavior: "smooth", block: "center" });
      flash([marker]);
    }
  }, true);
}
