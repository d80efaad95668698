"""Every shipped DMN file in the real dmn-js (the library inside Camunda Modeler), in Chromium: the
import gives no warnings and every decision table opens in the table editor with one cell per column,
each input and output cell editable; a cell typed into is in the XML dmn-js saves.

dmn-js comes from npm: ``scripts/ensure-dmn-js.sh`` (run by ``make test``) installs it under
tests/.dmn-js/. Without it the test is skipped with that hint.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DMN_JS = Path(os.environ.get("COMPLAINTFLOW_DMN_JS", ROOT / "tests" / ".dmn-js" / "node_modules" / "dmn-js"))
BUNDLE = DMN_JS / "dist" / "dmn-modeler.development.js"
FILES = sorted((ROOT / "processes").glob("*.dmn")) + sorted((ROOT / "examples").glob("*.dmn"))
CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not BUNDLE.is_file(), reason=f"dmn-js not installed ({BUNDLE}): run scripts/ensure-dmn-js.sh"
)

# Imports the XML, then opens each decision table view and counts the cells of every row.
SCRIPT = """
async (xml) => {
  if (window.modeler) { window.modeler.destroy(); }
  document.querySelector('#canvas').innerHTML = '';
  const modeler = window.modeler = new DmnJS({ container: '#canvas' });
  const result = { warnings: [], tables: [], error: null };
  let imported;
  try {
    imported = await modeler.importXML(xml);
  } catch (error) {
    result.error = String(error.message || error);
    result.warnings = (error.warnings || []).map(w => w.message);
    return result;
  }
  result.warnings = imported.warnings.map(w => w.message);
  for (const view of modeler.getViews()) {
    if (view.type !== 'decisionTable') continue;
    try {
      await modeler.open(view);
    } catch (error) {
      result.error = `${view.element.id}: ${error.message || error}`;
      return result;
    }
    const header = document.querySelectorAll('.tjs-table thead tr:last-child th').length;
    const body = [...document.querySelectorAll('.tjs-table tbody tr')];
    const rows = body.map(row => row.querySelectorAll('td').length);
    const editable = body.map(row => row.querySelectorAll('[contenteditable="true"]').length);
    const logic = view.element.decisionLogic;
    const columns = logic.input.length + logic.output.length;
    result.tables.push({ id: view.element.id, header, rows, editable, columns });
  }
  return result;
}
"""


@pytest.fixture(scope="module")
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content('<html><body><div id="canvas" style="width:1200px;height:800px"></div></body></html>')
        page.add_script_tag(path=str(BUNDLE))
        yield page
        browser.close()


def test_the_old_classification_table_is_refused_by_dmn_js(page) -> None:  # type: ignore[no-untyped-def]
    # What designers saw before the fix: output entries with the ids of the rules' first input entries.
    text = (ROOT / "processes" / "complaint_classification.dmn").read_text(encoding="utf-8")
    broken = text.replace('_category_out"', '_category"')
    result = page.evaluate(SCRIPT, broken)
    assert result["error"] or result["warnings"]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_the_file_opens_cleanly_in_dmn_js(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    result = page.evaluate(SCRIPT, path.read_text(encoding="utf-8"))
    assert result["error"] is None and result["warnings"] == [], result
    assert result["tables"], "no decision table view opened"
    for table in result["tables"]:
        assert table["rows"], f"{table['id']}: no rules shown"
        assert all(cells == table["rows"][0] for cells in table["rows"]), table
        assert all(count >= table["columns"] for count in table["editable"]), table


def test_a_cell_typed_into_is_saved(page) -> None:  # type: ignore[no-untyped-def]
    result = page.evaluate(SCRIPT, FILES[0].read_text(encoding="utf-8"))
    assert result["error"] is None
    page.locator(".tjs-table tbody tr").first.locator('[contenteditable="true"]').first.click()
    page.keyboard.press("End")
    page.keyboard.type(', "typed in dmn-js"')
    page.locator(".tjs-table thead").first.click()
    xml = page.evaluate("async () => (await window.modeler.saveXML({ format: true })).xml")
    assert '"typed in dmn-js"' in xml
