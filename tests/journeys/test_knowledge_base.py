"""Journey 9: the knowledge base and the FAQ. Agents and team leads write and edit articles (Markdown, sanitised), a
team lead publishes; published FAQ entries appear in the portal in the reader's language (demo data ships EN and DE).
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.journeys.journey import Journey


def test_faq_in_the_readers_language(journey: Callable[..., Journey]) -> None:
    """Journey 9, the portal's part: the demo data's published FAQ entries, each in its reader's language."""
    reader = journey("faq-reader")
    reader.goto("/")
    reader.page.get_by_role("link", name="Frequently asked questions").first.click()
    main = reader.page.locator("main")
    expect(main).to_contain_text("How long does a refund take?")
    expect(main).not_to_contain_text("Wie lange dauert eine Erstattung?")
    expect(main).not_to_contain_text("Double debit")  # internal articles stay internal
    reader.step("FAQ in English")
    reader.page.get_by_role("link", name="Deutsch").click()
    expect(main).to_contain_text("Wie lange dauert eine Erstattung?")
    expect(main).not_to_contain_text("How long does a refund take?")
    reader.step("FAQ in German")

    german = journey("german-reader", locale="de-DE")
    german.goto("/portal/faq")
    expect(german.page.locator("main")).to_contain_text("Meine Lieferung kam beschädigt an")
    german.step("FAQ for a German browser")


def test_agent_writes_an_article_and_the_lead_publishes_it(journey: Callable[..., Journey]) -> None:
    """Journey 9, the staff's part: an agent writes a German article (Markdown, sanitised) and edits it; a team lead
    edits it too and publishes it; customers reading German find it in the FAQ, readers of English do not."""
    agent = journey("agent-writing")
    page = agent.page
    agent.sign_in("agent")
    page.get_by_role("link", name="Knowledge base").click()
    expect(page.locator("main")).to_contain_text("Double debit: how to check and refund")  # demo data, EN
    page.get_by_role("link", name="New article").click()
    expect(page.locator("input[name=public]")).to_have_count(0)
    page.fill("#title", "Wasserkocher tropft: Dichtung prüfen")
    page.fill("#body", "## Schritte\n\n1. Dichtung am Boden **prüfen**\n2. <script>alert(1)</script>Ersatz schicken")
    page.fill("#category", "product")
    page.select_option("#language", "de")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("internal until a team lead publishes it")
    expect(page.locator(".prose strong")).to_have_text("prüfen")
    expect(page.locator(".prose script")).to_have_count(0)
    agent.step("article written, internal")
    article_url = page.url

    page.get_by_role("link", name="Edit").click()
    body = page.locator("#body")
    body.fill(body.input_value() + "\n3. Kunden um ein *Foto* bitten")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".prose em")).to_have_text("Foto")
    expect(page.locator(".prose strong")).to_have_text("prüfen")
    agent.step("article edited by the agent")

    lead = journey("lead-publishing")
    lead.sign_in("lead")
    lead.goto(article_url)
    lead.page.get_by_role("link", name="Edit").click()
    lead.page.fill("#title", "Wasserkocher tropft: Dichtung am Boden prüfen")
    lead.page.get_by_role("button", name="Save").click()
    expect(lead.page.locator("h1")).to_have_text("Wasserkocher tropft: Dichtung am Boden prüfen")
    expect(lead.page.locator(".prose em")).to_have_text("Foto")  # the agent's edit is kept
    lead.step("article edited by the lead")
    lead.page.locator("#publish").click()
    expect(lead.page.locator("main")).to_contain_text("Published in the customer FAQ.")
    lead.step("published by the lead")

    reader = journey("faq-reader-de", locale="de-DE")
    reader.goto("/portal/faq?lang=de")
    expect(reader.page.locator("main")).to_contain_text("Wasserkocher tropft: Dichtung am Boden prüfen")
    expect(reader.page.locator("main")).to_contain_text("Foto")
    reader.step("German FAQ shows the article")
    reader.goto("/portal/faq?lang=en")
    expect(reader.page.locator("main")).not_to_contain_text("Wasserkocher tropft")
    expect(reader.page.locator("main")).to_contain_text("How long does a refund take?")
