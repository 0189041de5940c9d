"""The map of France by region, from the local SVG: every 2011 region, and a text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from cnml.models import Role
from mobility.map import SVG_PATH, region_map, shade
from mobility.regions import REGIONS_2011
from tests.mobility.factories import text


def test_the_svg_draws_each_2011_region_once_with_its_insee_code_and_name():
    root = ET.parse(SVG_PATH).getroot()
    shapes = {path.get("data-code"): path.get("data-name") for path in root.iter("{http://www.w3.org/2000/svg}path")}

    assert shapes == REGIONS_2011
    assert root.find("{http://www.w3.org/2000/svg}title").text.startswith("Régions de France")


def test_regions_are_shaded_by_number_of_projects():
    drawn = {region.shape.code: region for region in region_map({"91": 1, "53": 2, "11": 5}).get("regions")}

    assert drawn["91"].fill == shade(1)[0]
    assert drawn["53"].fill == shade(2)[0]
    assert drawn["11"].fill == shade(3)[0]
    assert drawn["42"].count == 0
    assert drawn["42"].fill == shade(0)[0]
    # Labels on the darkest shade are white, to stay readable.
    assert drawn["11"].text_fill == "#ffffff"
    assert drawn["04"].shape.inset


@pytest.mark.django_db
def test_the_project_list_draws_the_map_hidden_from_assistive_technologies_with_a_table(client_for, users, project):
    content = text(client_for(users[Role.RELECTEUR_CNML]).get("/mobilite/projets/"))

    assert 'class="mobility-map"' in content
    assert 'aria-hidden="true"' in content
    # Region links stay out of the tab order; the table gives the same figures, with links.
    assert 'tabindex="-1"' in content
    assert 'id="par-region"' in content
    link = f'<a href="/mobilite/projets/?region={project.region.code}&theme=mobilite">{project.region.name}</a>'
    assert link in content
    # Regions outside the 2011 list (the test network's) are not drawn; the 2011 ones are.
    assert "Languedoc-Roussillon : aucun projet" in content
    assert "tiles" not in content and "openstreetmap" not in content.lower()


@pytest.mark.django_db
def test_the_map_links_a_region_to_the_filtered_list(client_for, users, project, network):
    response = client_for(users[Role.RELECTEUR_CNML]).get(f"/mobilite/projets/?region={network.region_b.code}")

    assert project.title not in text(response).split("Par région")[0]
