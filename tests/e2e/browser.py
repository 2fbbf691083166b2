"""Headless Chromium (Debian's chromium and chromedriver, driven by Selenium) uses the explorer of a running
`mvkg serve`: it searches, opens an entity page, runs a named query through its form, and reads the rendered pages.

Usage: python browser.py BASE_URL
Prints key=value lines that tests/e2e.rs checks.
"""
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

base = sys.argv[1].rstrip("/")
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp()}"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 60)
try:
    # Search from the box on the home page.
    driver.get(base + "/")
    box = wait.until(EC.presence_of_element_located((By.ID, "home-search")))
    box.send_keys("zepeto")
    box.submit()
    hits = wait.until(EC.presence_of_element_located((By.ID, "hits")))
    links = hits.find_elements(By.TAG_NAME, "a")
    print(f"search_title={driver.title}")
    print(f"search_first={links[0].text}")

    # Follow the first hit to its entity page.
    links[0].click()
    wait.until(EC.presence_of_element_located((By.ID, "sources")))
    print(f"entity_h1={driver.find_element(By.TAG_NAME, 'h1').text}")
    print(f"entity_svg={len(driver.find_elements(By.CSS_SELECTOR, '.map svg'))}")

    # Choose a named query from the list (the page reloads with its form), fill the parameter, run it.
    driver.get(base + "/query")
    Select(wait.until(EC.presence_of_element_located((By.ID, "named")))).select_by_value("investors-in")
    field = wait.until(EC.presence_of_element_located((By.ID, "param-company")))
    field.send_keys("Naver Z")
    driver.find_element(By.ID, "run-named").click()
    table = wait.until(EC.presence_of_element_located((By.ID, "results")))
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    headers = [th.text for th in table.find_elements(By.TAG_NAME, "th")]
    print(f"query_title={driver.find_element(By.TAG_NAME, 'h1').text}")
    print(f"query_rows={len(rows)}")
    print(f"query_first_investor={rows[0].find_elements(By.TAG_NAME, 'td')[headers.index('investorLabel')].text}")
    print(f"query_summary={driver.find_element(By.ID, 'result-summary').text.split(' · ')[0]}")
finally:
    driver.quit()
